using System.Runtime.Intrinsics.X86;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// AVX-512BW vpmaddubsw on 64 bytes at a time. AVX-512 has no vpsignb, so x·sign(w) is a masked negate;
/// where w = 0 the product is 0 whatever x gets, as |w| is 0.
/// </summary>
public struct Int8DotAvx512BwMaddubs : IInt8Dot
{
    public static string Name => "avx512bw-maddubs";
    public static string Requires => "x64 with AVX-512BW";
    public static bool IsSupported => Avx512BW.IsSupported;
    public static int FloatWidth => 16;
    public static bool BiasedActivations => false;
    public static int RowMultiple => 32;

    public static bool HasPanels => true;

    // Four accumulators of sixteen rows; |x| and x's sign mask once per quad for the 64 rows.
    public static void PanelBlock(ref sbyte w, ref sbyte x, int quads, ref int y)
    {
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector512<sbyte> xv = Vector512.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, 4 * q)))).AsSByte();
            Vector512<byte> xAbs = Avx512BW.Abs(xv);
            Vector512<sbyte> negative = Vector512.LessThan(xv, Vector512<sbyte>.Zero);
            ref sbyte p = ref Unsafe.Add(ref w, 256 * q);
            a0 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref p));
            a1 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref p, 64));
            a2 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref p, 128));
            a3 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref p, 192));
        }
        a0.StoreUnsafe(ref y); a1.StoreUnsafe(ref y, 16); a2.StoreUnsafe(ref y, 32); a3.StoreUnsafe(ref y, 48);
    }

    // The 64 rows in one pass of four 16-row vectors, as avx2-maddubs's (see there): nibbles × x in 16-bit pair sums,
    // a group summed in 16 bits, each half's 8·Σx taken off, then one vpmaddwd with (m, m) per 16 rows.
    public static void Int4Block(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y)
    {
        Vector512<byte> low = Vector512.Create((byte)0x0F);
        // vpshufb within each 128-bit lane of 16 broadcast multipliers: lane L's dword k becomes (m[4L + k], m[4L + k]) as 16-bit halves.
        Vector512<byte> pairs = Vector512.Create(
            0, 0x80, 0, 0x80, 1, 0x80, 1, 0x80, 2, 0x80, 2, 0x80, 3, 0x80, 3, 0x80,
            4, 0x80, 4, 0x80, 5, 0x80, 5, 0x80, 6, 0x80, 6, 0x80, 7, 0x80, 7, 0x80,
            8, 0x80, 8, 0x80, 9, 0x80, 9, 0x80, 10, 0x80, 10, 0x80, 11, 0x80, 11, 0x80,
            12, 0x80, 12, 0x80, 13, 0x80, 13, 0x80, 14, 0x80, 14, 0x80, 15, 0x80, 15, (byte)0x80);
        Vector512<int> t0 = default, t1 = default, t2 = default, t3 = default;
        for (int g = 0; g < groups; g++)
        {
            ref byte group = ref Unsafe.Add(ref w, g * Int4Panels.GroupBytes);
            ref byte xg = ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, g * Int4Panels.GroupColumns));
            Vector512<short> s0 = default, s1 = default, s2 = default, s3 = default;
            Slot(ref group, ref xg, 0, low, ref s0, ref s1, ref s2, ref s3);
            Slot(ref group, ref xg, 1, low, ref s0, ref s1, ref s2, ref s3);
            Slot(ref group, ref xg, 2, low, ref s0, ref s1, ref s2, ref s3);
            Slot(ref group, ref xg, 3, low, ref s0, ref s1, ref s2, ref s3);
            Vector512<short> correction = Vector512.Create(Unsafe.Add(ref corrections, 2 * g + 1)).AsInt16();
            ref byte m = ref Unsafe.Add(ref group, 4 * Int4Panels.SlotBytes); // the multipliers follow the slots
            t0 += Avx512BW.MultiplyAddAdjacent(s0 - correction, PairedMultipliers(ref m, 0, pairs));
            t1 += Avx512BW.MultiplyAddAdjacent(s1 - correction, PairedMultipliers(ref m, 16, pairs));
            t2 += Avx512BW.MultiplyAddAdjacent(s2 - correction, PairedMultipliers(ref m, 32, pairs));
            t3 += Avx512BW.MultiplyAddAdjacent(s3 - correction, PairedMultipliers(ref m, 48, pairs));
        }
        t0.StoreUnsafe(ref y); t1.StoreUnsafe(ref y, 16); t2.StoreUnsafe(ref y, 32); t3.StoreUnsafe(ref y, 48);
    }

    /// <summary>One 256-byte slot (two column quads of the 64 rows) into the four 16-row sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Slot(ref byte group, ref byte xg, int p, Vector512<byte> low,
        ref Vector512<short> s0, ref Vector512<short> s1, ref Vector512<short> s2, ref Vector512<short> s3)
    {
        Vector512<sbyte> xLow = Vector512.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p))).AsSByte();
        Vector512<sbyte> xHigh = Vector512.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p + 4))).AsSByte();
        ref byte slot = ref Unsafe.Add(ref group, Int4Panels.SlotBytes * p);
        Vector512<byte> v0 = Vector512.LoadUnsafe(ref slot), v1 = Vector512.LoadUnsafe(ref slot, 64);
        Vector512<byte> v2 = Vector512.LoadUnsafe(ref slot, 128), v3 = Vector512.LoadUnsafe(ref slot, 192);
        s0 += Avx512BW.MultiplyAddAdjacent(v0 & low, xLow) + Avx512BW.MultiplyAddAdjacent(HighNibbles(v0, low), xHigh);
        s1 += Avx512BW.MultiplyAddAdjacent(v1 & low, xLow) + Avx512BW.MultiplyAddAdjacent(HighNibbles(v1, low), xHigh);
        s2 += Avx512BW.MultiplyAddAdjacent(v2 & low, xLow) + Avx512BW.MultiplyAddAdjacent(HighNibbles(v2, low), xHigh);
        s3 += Avx512BW.MultiplyAddAdjacent(v3 & low, xLow) + Avx512BW.MultiplyAddAdjacent(HighNibbles(v3, low), xHigh);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> HighNibbles(Vector512<byte> v, Vector512<byte> low) => (v.AsUInt16() >> 4).AsByte() & low;

    /// <summary>Sixteen rows' multipliers from bytes [offset, offset + 16), each as the 16-bit pair (m, m) of its lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> PairedMultipliers(ref byte m, int offset, Vector512<byte> pairs) =>
        Avx512BW.Shuffle(Vector512.Create(Vector128.LoadUnsafe(ref m, (nuint)offset)), pairs).AsInt16();

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        var acc = Vector512<int>.Zero;
        int j = 0;
        for (; j + 64 <= length; j += 64)
        {
            acc += Block(Vector512.LoadUnsafe(ref w, (nuint)j), Vector512.LoadUnsafe(ref x, (nuint)j));
        }
        int sum = Vector512.Sum(acc);
        if (j + 32 <= length)
        {
            sum += Vector256.Sum(Int8DotAvx2Maddubs.Block(Vector256.LoadUnsafe(ref w, (nuint)j), Vector256.LoadUnsafe(ref x, (nuint)j)));
            j += 32;
        }
        if (j + 16 <= length)
        {
            sum += Vector128.Sum(Int8DotAvx2Maddubs.Block16Products(ref Unsafe.Add(ref w, j), ref Unsafe.Add(ref x, j)));
            j += 16;
        }
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Block(Vector512<sbyte> w, Vector512<sbyte> x) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(w),
            Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), -x, x)), Vector512<short>.One);

    /// <summary>Σ pairs of |x|·(w·sign x) widened to int32, |x| and the mask of negative x computed by the caller once for several rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> SignedBlock(Vector512<byte> xAbs, Vector512<sbyte> negative, Vector512<sbyte> w) =>
        Pairs(xAbs, Vector512.ConditionalSelect(negative, -w, w));

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        if (length % 64 != 0)
        {
            Int8DotAvx2Maddubs.Dot4(ref w, stride, ref x, length, ref y);
            return;
        }
        // The four rows share x, so the sign goes the other way round: |x| and x's sign mask once for the four rows,
        // and each row's w negated where x < 0 (w·x = |x|·(w·sign x); where x = 0 |x| is 0 whatever w becomes).
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int j = 0; j < length; j += 64)
        {
            Vector512<sbyte> xv = Vector512.LoadUnsafe(ref x, (nuint)j);
            Vector512<byte> xAbs = Avx512BW.Abs(xv);
            Vector512<sbyte> negative = Vector512.LessThan(xv, Vector512<sbyte>.Zero);
            a0 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref w, (nuint)j));
            a1 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref w, (nuint)(stride + j)));
            a2 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref w, (nuint)(2 * stride + j)));
            a3 += SignedBlock(xAbs, negative, Vector512.LoadUnsafe(ref w, (nuint)(3 * stride + j)));
        }
        Store4(a0, a1, a2, a3, ref y);
    }

    /// <summary>y[0..3] = the sums of four rows' 16-lane accumulators: fold the halves, then AVX2's transpose-and-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store4(Vector512<int> a, Vector512<int> b, Vector512<int> c, Vector512<int> d, ref int y) =>
        Int8DotAvx2Maddubs.Reduce4(Fold(a), Fold(b), Fold(c), Fold(d)).StoreUnsafe(ref y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Fold(Vector512<int> v) => v.GetLower() + v.GetUpper();

    public static bool HasDot4x3 => true;

    // Twelve accumulators, three |x| and three sign masks, a weight row and its negation: 20 of the 32 zmm registers.
    // Each weight load (and its negation) serves three vectors: four operations per 64 multiply-adds, not five.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4x3(ref sbyte w, int stride, ref sbyte x0, ref sbyte x1, ref sbyte x2, int length, ref int y0, ref int y1, ref int y2)
    {
        if (length % 64 != 0)
        {
            Int8DotRows.FourByThreeOneAtATime<Int8DotAvx512BwMaddubs>(ref w, stride, ref x0, ref x1, ref x2, length, ref y0, ref y1, ref y2);
            return;
        }
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (nuint j = 0; j < (nuint)length; j += 64)
        {
            Vector512<sbyte> xa = Vector512.LoadUnsafe(ref x0, j), xb = Vector512.LoadUnsafe(ref x1, j), xc = Vector512.LoadUnsafe(ref x2, j);
            Vector512<byte> absA = Avx512BW.Abs(xa), absB = Avx512BW.Abs(xb), absC = Avx512BW.Abs(xc);
            Vector512<sbyte> negA = Vector512.LessThan(xa, Vector512<sbyte>.Zero), negB = Vector512.LessThan(xb, Vector512<sbyte>.Zero),
                negC = Vector512.LessThan(xc, Vector512<sbyte>.Zero);
            Vector512<sbyte> r = Vector512.LoadUnsafe(ref w, j), minus = -r;
            a0 += Pairs(absA, Vector512.ConditionalSelect(negA, minus, r));
            b0 += Pairs(absB, Vector512.ConditionalSelect(negB, minus, r));
            c0 += Pairs(absC, Vector512.ConditionalSelect(negC, minus, r));
            r = Vector512.LoadUnsafe(ref w, (nuint)stride + j);
            minus = -r;
            a1 += Pairs(absA, Vector512.ConditionalSelect(negA, minus, r));
            b1 += Pairs(absB, Vector512.ConditionalSelect(negB, minus, r));
            c1 += Pairs(absC, Vector512.ConditionalSelect(negC, minus, r));
            r = Vector512.LoadUnsafe(ref w, 2 * (nuint)stride + j);
            minus = -r;
            a2 += Pairs(absA, Vector512.ConditionalSelect(negA, minus, r));
            b2 += Pairs(absB, Vector512.ConditionalSelect(negB, minus, r));
            c2 += Pairs(absC, Vector512.ConditionalSelect(negC, minus, r));
            r = Vector512.LoadUnsafe(ref w, 3 * (nuint)stride + j);
            minus = -r;
            a3 += Pairs(absA, Vector512.ConditionalSelect(negA, minus, r));
            b3 += Pairs(absB, Vector512.ConditionalSelect(negB, minus, r));
            c3 += Pairs(absC, Vector512.ConditionalSelect(negC, minus, r));
        }
        Store4(a0, a1, a2, a3, ref y0);
        Store4(b0, b1, b2, b3, ref y1);
        Store4(c0, c1, c2, c3, ref y2);
    }

    /// <summary>maddubs then maddwd with ones: |x|·(±w) pair sums (at most 2·127·127) widened to int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Pairs(Vector512<byte> xAbs, Vector512<sbyte> signedW) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(xAbs, signedW), Vector512<short>.One);

    public static bool HasBlockPairs => true;

    /// <summary>AVX2's transpose-and-add (every CPU with this variant has AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) => Int8DotAvx2Maddubs.Reduce4(a, b, c, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulateBlockPair(Vector256<int> acc, ref sbyte w, ref sbyte x0, ref sbyte x1) =>
        Int8DotAvx2Maddubs.AccumulateBlockPair(acc, ref w, ref x0, ref x1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulatePair(Vector256<int> acc, ref sbyte w, ref sbyte x) => Int8DotAvx2Maddubs.AccumulatePair(acc, ref w, ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) => Int8DotAvx2Maddubs.AccumulateBlock16(acc, ref w, ref x);
}
