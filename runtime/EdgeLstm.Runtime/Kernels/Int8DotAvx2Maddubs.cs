using System.Runtime.Intrinsics.X86;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// AVX2 vpmaddubsw with the sign trick: |w| (unsigned) × x·sign(w) (signed) gives pair sums of at most
/// 2·127·127 = 32258, inside int16, so nothing saturates; vpmaddwd with ones widens the pairs to int32.
/// </summary>
public struct Int8DotAvx2Maddubs : IInt8Dot
{
    public static string Name => "avx2-maddubs";
    public static string Requires => "x64 with AVX2";
    public static bool IsSupported => Avx2.IsSupported;
    public static int FloatWidth => 8;
    public static bool BiasedActivations => false;
    public static int RowMultiple => 32;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Block(Vector256<sbyte> w, Vector256<sbyte> x) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(x, w)), Vector256<short>.One);

    /// <summary>Σ pairs of |x|·(w·sign x) widened to int32: <see cref="Block"/> with |x| computed by the caller, once for several rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SignedBlock(Vector256<byte> xAbs, Vector256<sbyte> x, Vector256<sbyte> w) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xAbs, Avx2.Sign(w, x)), Vector256<short>.One);

    public static bool HasPanels => true;

    // Eight accumulators of eight rows; |x| once per quad, each row's w signed by x (w·x = |x|·(w·sign x)).
    public static void PanelBlock(ref sbyte w, ref sbyte x, int quads, ref int y)
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector256<sbyte> xv = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, 4 * q)))).AsSByte();
            Vector256<byte> xAbs = Avx2.Abs(xv);
            ref sbyte p = ref Unsafe.Add(ref w, 256 * q);
            a0 = Avx2.Add(a0, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p)));
            a1 = Avx2.Add(a1, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 32)));
            a2 = Avx2.Add(a2, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 64)));
            a3 = Avx2.Add(a3, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 96)));
            a4 = Avx2.Add(a4, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 128)));
            a5 = Avx2.Add(a5, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 160)));
            a6 = Avx2.Add(a6, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 192)));
            a7 = Avx2.Add(a7, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref p, 224)));
        }
        a0.StoreUnsafe(ref y); a1.StoreUnsafe(ref y, 8); a2.StoreUnsafe(ref y, 16); a3.StoreUnsafe(ref y, 24);
        a4.StoreUnsafe(ref y, 32); a5.StoreUnsafe(ref y, 40); a6.StoreUnsafe(ref y, 48); a7.StoreUnsafe(ref y, 56);
    }

    // The 64 rows in one pass over the block's bytes, in memory order. Per group, pmaddubsw multiplies the unsigned
    // nibbles (q + 8) by x's signed bytes — pair sums ≤ 2·15·127, eight of them summed stay inside int16, so the group
    // is added in 16 bits with no widening; then each 16-bit half loses its 8·Σx (a row's two halves cover columns
    // j % 4 in {0, 1} and {2, 3}), leaving |Σ q·x| ≤ 16·8·127 per half, and one vpmaddwd with (m, m) widens, adds the
    // halves and applies the multiplier. The eight group sums fill the registers, so the totals are added in y (L1):
    // int4 steps of 27.4–28.8 µs against 30.6–32.6 for the two passes of 32 rows this replaced, which read each group's
    // slots in alternate 128-byte halves (`bench steps 512`, six alternating processes each, AMD EPYC Zen 3, session 25).
    public static void Int4Block(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y)
    {
        Vector256<byte> low = Vector256.Create((byte)0x0F);
        for (int k = 0; k < 64; k += 8) Vector256<int>.Zero.StoreUnsafe(ref y, (nuint)k);
        for (int g = 0; g < groups; g++)
        {
            ref byte group = ref Unsafe.Add(ref w, g * Int4Panels.GroupBytes);
            ref byte xg = ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, g * Int4Panels.GroupColumns));
            Vector256<short> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0; p < 4; p++)
            {
                Vector256<sbyte> xLow = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p))).AsSByte();
                Vector256<sbyte> xHigh = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p + 4))).AsSByte();
                ref byte slot = ref Unsafe.Add(ref group, Int4Panels.SlotBytes * p);
                s0 += NibbleProducts(Vector256.LoadUnsafe(ref slot), low, xLow, xHigh);
                s1 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 32), low, xLow, xHigh);
                s2 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 64), low, xLow, xHigh);
                s3 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 96), low, xLow, xHigh);
                s4 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 128), low, xLow, xHigh);
                s5 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 160), low, xLow, xHigh);
                s6 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 192), low, xLow, xHigh);
                s7 += NibbleProducts(Vector256.LoadUnsafe(ref slot, 224), low, xLow, xHigh);
            }
            Vector256<short> correction = Vector256.Create(Unsafe.Add(ref corrections, 2 * g + 1)).AsInt16();
            ref byte m = ref Unsafe.Add(ref group, 4 * Int4Panels.SlotBytes);
            Total(ref y, 0, s0 - correction, ref m); Total(ref y, 8, s1 - correction, ref m);
            Total(ref y, 16, s2 - correction, ref m); Total(ref y, 24, s3 - correction, ref m);
            Total(ref y, 32, s4 - correction, ref m); Total(ref y, 40, s5 - correction, ref m);
            Total(ref y, 48, s6 - correction, ref m); Total(ref y, 56, s7 - correction, ref m);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> NibbleProducts(Vector256<byte> v, Vector256<byte> low, Vector256<sbyte> xLow, Vector256<sbyte> xHigh) =>
        Avx2.MultiplyAddAdjacent(v & low, xLow) + Avx2.MultiplyAddAdjacent(Int8DotAvxVnni.HighNibbles(v, low), xHigh);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Total(ref int y, int row, Vector256<short> s, ref byte m) =>
        (Vector256.LoadUnsafe(ref y, (nuint)row) + Avx2.MultiplyAddAdjacent(s, PairedMultipliers(ref m, row))).StoreUnsafe(ref y, (nuint)row);

    /// <summary>Eight rows' multipliers from bytes [offset, offset + 8), each as the 16-bit pair (m, m) of its lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> PairedMultipliers(ref byte m, int offset)
    {
        Vector256<int> m32 = Int8DotAvxVnni.Multipliers(ref m, offset).AsInt32();
        return (m32 | (m32 << 16)).AsInt16();
    }

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        var acc = Vector256<int>.Zero;
        int j = 0;
        for (; j + 32 <= length; j += 32)
            acc = Avx2.Add(acc, Block(Vector256.LoadUnsafe(ref w, (nuint)j), Vector256.LoadUnsafe(ref x, (nuint)j)));
        int sum = Vector256.Sum(acc);
        if (j + 16 <= length)
        {
            sum += Vector128.Sum(Block16Products(ref Unsafe.Add(ref w, j), ref Unsafe.Add(ref x, j)));
            j += 16;
        }
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        if (length % 32 != 0)
        {
            Int8DotRows.FourByOne<Int8DotAvx2Maddubs>(ref w, stride, ref x, length, ref y);
            return;
        }
        // The four rows share x, so the sign trick runs the other way round: |x| once for the four rows, and each
        // row's w takes x's sign (w·x = |x|·(w·sign x), pair sums still at most 2·127·127): four operations per row
        // and 32 bytes instead of five.
        PrefetchNextRows(ref w, stride, length);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int j = 0; j < length; j += 32)
        {
            Vector256<sbyte> xv = Vector256.LoadUnsafe(ref x, (nuint)j);
            Vector256<byte> xAbs = Avx2.Abs(xv);
            a0 = Avx2.Add(a0, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref w, (nuint)j)));
            a1 = Avx2.Add(a1, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref w, (nuint)(stride + j))));
            a2 = Avx2.Add(a2, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref w, (nuint)(2 * stride + j))));
            a3 = Avx2.Add(a3, SignedBlock(xAbs, xv, Vector256.LoadUnsafe(ref w, (nuint)(3 * stride + j))));
        }
        Reduce4(a0, a1, a2, a3).StoreUnsafe(ref y);
    }

    /// <summary>
    /// Asks for the next four rows' lines (the caller's next <see cref="Dot4"/>) while these four are multiplied. Four
    /// rows of a few hundred bytes are four short streams that the hardware prefetcher picks up only after a few
    /// misses each, on every call. Fetched ahead, on an AMD EPYC (Zen 3; session 25, old and new builds alternated):
    /// `bench steps 512` int8 43.3–44.1 µs against 44.7–47.1 (four pairs), the default 3×512 model 150–158 µs a
    /// character against 165–178 (`bench model`, three pairs). A prefetch never faults, so the rows after a matrix's
    /// last ones may be asked for too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchNextRows(ref sbyte w, int stride, int length)
    {
        byte* next = (byte*)Unsafe.AsPointer(ref w) + 4 * stride; // a pointer, not a ref past the matrix's end
        for (int j = 0; j < length; j += 64)
        {
            Sse.Prefetch0(next + j);
            Sse.Prefetch0(next + stride + j);
            Sse.Prefetch0(next + 2 * stride + j);
            Sse.Prefetch0(next + 3 * stride + j);
        }
    }

    /// <summary>
    /// [Σa, Σb, Σc, Σd] of four 8-lane int32 vectors: a 4×4 transpose-and-add inside each 128-bit half (unpacks
    /// and adds, no phaddd), then one fold of the halves. Integer sums, so the order does not change the result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d)
    {
        Vector256<int> ab = Avx2.Add(Avx2.UnpackLow(a, b), Avx2.UnpackHigh(a, b));   // a0+a2, b0+b2, a1+a3, b1+b3 per half
        Vector256<int> cd = Avx2.Add(Avx2.UnpackLow(c, d), Avx2.UnpackHigh(c, d));
        Vector256<int> sums = Avx2.Add(Avx2.UnpackLow(ab.AsInt64(), cd.AsInt64()).AsInt32(), Avx2.UnpackHigh(ab.AsInt64(), cd.AsInt64()).AsInt32());
        return Sse2.Add(sums.GetLower(), sums.GetUpper());
    }

    public static bool HasBlockPairs => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulateBlockPair(Vector256<int> acc, ref sbyte w, ref sbyte x0, ref sbyte x1) =>
        Avx2.Add(acc, Block(Vector256.LoadUnsafe(ref w), Vector256.Create(Vector128.LoadUnsafe(ref x0), Vector128.LoadUnsafe(ref x1))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulatePair(Vector256<int> acc, ref sbyte w, ref sbyte x) =>
        Avx2.Add(acc, Block(Vector256.LoadUnsafe(ref w), Vector256.LoadUnsafe(ref x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) => acc + Block16Products(ref w, ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> Block16Products(ref sbyte w, ref sbyte x)
    {
        Vector128<sbyte> wv = Vector128.LoadUnsafe(ref w), xv = Vector128.LoadUnsafe(ref x);
        return Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(Ssse3.Abs(wv), Ssse3.Sign(xv, wv)), Vector128<short>.One);
    }
}
