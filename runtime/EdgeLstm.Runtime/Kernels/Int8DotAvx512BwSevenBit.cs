using System.Runtime.Intrinsics.X86;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// For files with 7-bit weights (<c>weight_bits: 7</c>, |w| ≤ 63): vpmaddubsw takes the biased activation x + 128
/// (u8) straight as its unsigned side — pair sums are at most 2·255·63 = 32130, inside int16 — then vpmaddwd with
/// ones; the caller subtracts 128·Σw as for vpdpbusd. Three instructions per 64 multiply-adds instead of the sign
/// trick's five. The same integers as every other variant; <see cref="LstmKernels"/> offers it only for such files.
/// (An AVX2 form of it measured within noise of avx2-maddubs on the punctuation tagger, so AVX2 CPUs keep that.)
/// </summary>
public struct Int8DotAvx512BwSevenBit : IInt8Dot
{
    public static string Name => "avx512bw-maddubs-w7";
    public static string Requires => "x64 with AVX-512BW (used for files with 7-bit weights)";
    public static bool IsSupported => Avx512BW.IsSupported;
    public static int FloatWidth => 16;
    public static bool BiasedActivations => true;
    public static bool NeedsSevenBitWeights => true;
    public static int RowMultiple => 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Pairs(Vector512<byte> xBiased, Vector512<sbyte> w) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(xBiased, w), Vector512<short>.One);

    /// <summary>Nibbles are unsigned and small, so the 8-bit variant's int4 product needs no 7-bit trick: it is the same.</summary>
    public static void Int4Block(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y) =>
        Int8DotAvx512BwMaddubs.Int4Block(ref w, ref x, ref corrections, groups, ref y);

    public static bool HasPanels => true;

    // Four accumulators of sixteen rows; x + 128 straight in, as the rows' products.
    public static void PanelBlock(ref sbyte w, ref sbyte x, int quads, ref int y)
    {
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x);
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector512<byte> xv = Vector512.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xb, 4 * q))).AsByte();
            ref sbyte p = ref Unsafe.Add(ref w, 256 * q);
            a0 += Pairs(xv, Vector512.LoadUnsafe(ref p));
            a1 += Pairs(xv, Vector512.LoadUnsafe(ref p, 64));
            a2 += Pairs(xv, Vector512.LoadUnsafe(ref p, 128));
            a3 += Pairs(xv, Vector512.LoadUnsafe(ref p, 192));
        }
        a0.StoreUnsafe(ref y); a1.StoreUnsafe(ref y, 16); a2.StoreUnsafe(ref y, 32); a3.StoreUnsafe(ref y, 48);
    }

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x);
        var acc = Vector512<int>.Zero;
        int j = 0;
        for (; j + 64 <= length; j += 64)
            acc += Pairs(Vector512.LoadUnsafe(ref xb, (nuint)j), Vector512.LoadUnsafe(ref w, (nuint)j));
        int sum = Vector512.Sum(acc);
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref xb, j);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        if (length % 64 != 0)
        {
            Int8DotRows.FourByOne<Int8DotAvx512BwSevenBit>(ref w, stride, ref x, length, ref y);
            return;
        }
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x);
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint j = 0; j < (nuint)length; j += 64)
        {
            Vector512<byte> xv = Vector512.LoadUnsafe(ref xb, j);
            a0 += Pairs(xv, Vector512.LoadUnsafe(ref w, j));
            a1 += Pairs(xv, Vector512.LoadUnsafe(ref w, (nuint)stride + j));
            a2 += Pairs(xv, Vector512.LoadUnsafe(ref w, 2 * (nuint)stride + j));
            a3 += Pairs(xv, Vector512.LoadUnsafe(ref w, 3 * (nuint)stride + j));
        }
        Int8DotAvx512BwMaddubs.Store4(a0, a1, a2, a3, ref y);
    }

    public static bool HasDot4x3 => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4x3(ref sbyte w, int stride, ref sbyte x0, ref sbyte x1, ref sbyte x2, int length, ref int y0, ref int y1, ref int y2)
    {
        if (length % 64 != 0)
        {
            Int8DotRows.FourByThreeOneAtATime<Int8DotAvx512BwSevenBit>(ref w, stride, ref x0, ref x1, ref x2, length, ref y0, ref y1, ref y2);
            return;
        }
        ref byte xa = ref Unsafe.As<sbyte, byte>(ref x0);
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x1);
        ref byte xc = ref Unsafe.As<sbyte, byte>(ref x2);
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (nuint j = 0; j < (nuint)length; j += 64)
        {
            Vector512<byte> va = Vector512.LoadUnsafe(ref xa, j), vb = Vector512.LoadUnsafe(ref xb, j), vc = Vector512.LoadUnsafe(ref xc, j);
            Vector512<sbyte> r = Vector512.LoadUnsafe(ref w, j);
            a0 += Pairs(va, r); b0 += Pairs(vb, r); c0 += Pairs(vc, r);
            r = Vector512.LoadUnsafe(ref w, (nuint)stride + j);
            a1 += Pairs(va, r); b1 += Pairs(vb, r); c1 += Pairs(vc, r);
            r = Vector512.LoadUnsafe(ref w, 2 * (nuint)stride + j);
            a2 += Pairs(va, r); b2 += Pairs(vb, r); c2 += Pairs(vc, r);
            r = Vector512.LoadUnsafe(ref w, 3 * (nuint)stride + j);
            a3 += Pairs(va, r); b3 += Pairs(vb, r); c3 += Pairs(vc, r);
        }
        Int8DotAvx512BwMaddubs.Store4(a0, a1, a2, a3, ref y0);
        Int8DotAvx512BwMaddubs.Store4(b0, b1, b2, b3, ref y1);
        Int8DotAvx512BwMaddubs.Store4(c0, c1, c2, c3, ref y2);
    }

    /// <summary>AVX2's transpose-and-add (every CPU with this variant has AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) => Int8DotAvx2Maddubs.Reduce4(a, b, c, d);

    public static bool HasBlockPairs => true;

    // Block-sparse rows: 32 or 16 bytes at a time, the same biased product on narrower registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Pairs256(Vector256<byte> xBiased, Vector256<sbyte> w) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(xBiased, w), Vector256<short>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulateBlockPair(Vector256<int> acc, ref sbyte w, ref sbyte x0, ref sbyte x1) =>
        acc + Pairs256(Vector256.Create(Vector128.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x0)), Vector128.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x1))),
            Vector256.LoadUnsafe(ref w));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulatePair(Vector256<int> acc, ref sbyte w, ref sbyte x) =>
        acc + Pairs256(Vector256.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x)), Vector256.LoadUnsafe(ref w));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) =>
        acc + Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(Vector128.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x)), Vector128.LoadUnsafe(ref w)),
            Vector128<short>.One);
}
