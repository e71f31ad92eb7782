using System.Runtime.Intrinsics.X86;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// AVX-VNNI vpdpbusd: u8 × s8, four products summed into int32 with no saturation, 32 bytes per instruction.
/// The unsigned side is the biased activation x + 128 (prepared once per product, see
/// <see cref="IInt8Dot.BiasedActivations"/>) and the signed side is the weight row read straight from memory,
/// so a row costs one instruction per 32 weights; the caller subtracts 128·Σw (row sums kept with the model).
/// </summary>
public struct Int8DotAvxVnni : IInt8Dot
{
    public static string Name => "avxvnni-dpbusd";
    public static string Requires => "x64 with AVX-VNNI, the VEX form of vpdpbusd";
    public static bool IsSupported => AvxVnni.IsSupported;
    // AVX-VNNI is 256-bit only, but CPUs that have it mostly have AVX-512 too: the float side may use 16 lanes
    // (every width gives the same bits).
    public static int FloatWidth => Vector512.IsHardwareAccelerated ? 16 : 8;
    public static bool BiasedActivations => true;
    public static int RowMultiple => 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Accumulate(Vector256<int> acc, Vector256<byte> xBiased, ref sbyte w, nuint offset) =>
        AvxVnni.MultiplyWideningAndAdd(acc, xBiased, Vector256.LoadUnsafe(ref w, offset));

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x);
        var acc = Vector256<int>.Zero;
        int j = 0;
        for (; j + 32 <= length; j += 32)
            acc = Accumulate(acc, Vector256.LoadUnsafe(ref xb, (nuint)j), ref w, (nuint)j);
        int sum = Vector256.Sum(acc);
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref xb, j);
        return sum;
    }

    // Inlined into the row loop: at 256 columns a call per four rows cost as much as its eight multiply-adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        if (length % 64 != 0)
        {
            Int8DotRows.FourByOne<Int8DotAvxVnni>(ref w, stride, ref x, length, ref y);
            return;
        }
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x);
        ref sbyte w1 = ref Unsafe.Add(ref w, stride);
        ref sbyte w2 = ref Unsafe.Add(ref w, 2 * stride);
        ref sbyte w3 = ref Unsafe.Add(ref w, 3 * stride);
        // vpdpbusd takes several cycles: two accumulators per row (even and odd 32-byte halves) keep eight
        // independent chains in flight.
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        for (nuint j = 0; j < (nuint)length; j += 64)
        {
            Vector256<byte> xv = Vector256.LoadUnsafe(ref xb, j), xu = Vector256.LoadUnsafe(ref xb, j + 32);
            a0 = Accumulate(a0, xv, ref w, j);
            a1 = Accumulate(a1, xv, ref w1, j);
            a2 = Accumulate(a2, xv, ref w2, j);
            a3 = Accumulate(a3, xv, ref w3, j);
            b0 = Accumulate(b0, xu, ref w, j + 32);
            b1 = Accumulate(b1, xu, ref w1, j + 32);
            b2 = Accumulate(b2, xu, ref w2, j + 32);
            b3 = Accumulate(b3, xu, ref w3, j + 32);
        }
        Int8DotAvx2Maddubs.Reduce4(a0 + b0, a1 + b1, a2 + b2, a3 + b3).StoreUnsafe(ref y);
    }

    public static bool HasDot4x3 => true;

    // Twelve accumulators + three x vectors + one weight vector: the sixteen ymm registers of VEX code. Twelve
    // chains cover vpdpbusd's latency (Dot4's eight do not quite); each weight load feeds three multiply-adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4x3(ref sbyte w, int stride, ref sbyte x0, ref sbyte x1, ref sbyte x2, int length, ref int y0, ref int y1, ref int y2)
    {
        ref byte xa = ref Unsafe.As<sbyte, byte>(ref x0);
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x1);
        ref byte xc = ref Unsafe.As<sbyte, byte>(ref x2);
        ref sbyte w1 = ref Unsafe.Add(ref w, stride);
        ref sbyte w2 = ref Unsafe.Add(ref w, 2 * stride);
        ref sbyte w3 = ref Unsafe.Add(ref w, 3 * stride);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (nuint j = 0; j < (nuint)length; j += 32)
        {
            Vector256<byte> va = Vector256.LoadUnsafe(ref xa, j), vb = Vector256.LoadUnsafe(ref xb, j), vc = Vector256.LoadUnsafe(ref xc, j);
            Vector256<sbyte> r = Vector256.LoadUnsafe(ref w, j);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, va, r);
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, vb, r);
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, vc, r);
            r = Vector256.LoadUnsafe(ref w1, j);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, va, r);
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, vb, r);
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, vc, r);
            r = Vector256.LoadUnsafe(ref w2, j);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, va, r);
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, vb, r);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, vc, r);
            r = Vector256.LoadUnsafe(ref w3, j);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, va, r);
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, vb, r);
            c3 = AvxVnni.MultiplyWideningAndAdd(c3, vc, r);
        }
        Int8DotAvx2Maddubs.Reduce4(a0, a1, a2, a3).StoreUnsafe(ref y0);
        Int8DotAvx2Maddubs.Reduce4(b0, b1, b2, b3).StoreUnsafe(ref y1);
        Int8DotAvx2Maddubs.Reduce4(c0, c1, c2, c3).StoreUnsafe(ref y2);
    }

    public static bool HasPanels => true;

    // Eight accumulators of eight rows; each quad of x broadcast once for the 64 rows.
    public static void PanelBlock(ref sbyte w, ref sbyte x, int quads, ref int y)
    {
        ref byte xb = ref Unsafe.As<sbyte, byte>(ref x);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int q = 0; q < quads; q++)
        {
            Vector256<byte> xv = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xb, 4 * q))).AsByte();
            ref sbyte p = ref Unsafe.Add(ref w, 256 * q);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, xv, Vector256.LoadUnsafe(ref p));
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, xv, Vector256.LoadUnsafe(ref p, 32));
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, xv, Vector256.LoadUnsafe(ref p, 64));
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, xv, Vector256.LoadUnsafe(ref p, 96));
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, xv, Vector256.LoadUnsafe(ref p, 128));
            a5 = AvxVnni.MultiplyWideningAndAdd(a5, xv, Vector256.LoadUnsafe(ref p, 160));
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, xv, Vector256.LoadUnsafe(ref p, 192));
            a7 = AvxVnni.MultiplyWideningAndAdd(a7, xv, Vector256.LoadUnsafe(ref p, 224));
        }
        a0.StoreUnsafe(ref y); a1.StoreUnsafe(ref y, 8); a2.StoreUnsafe(ref y, 16); a3.StoreUnsafe(ref y, 24);
        a4.StoreUnsafe(ref y, 32); a5.StoreUnsafe(ref y, 40); a6.StoreUnsafe(ref y, 48); a7.StoreUnsafe(ref y, 56);
    }

    // Two passes of 32 rows (four accumulators of eight rows and four totals: room in VEX code's sixteen registers).
    // Per group, vpdpbusd multiplies the unsigned nibbles (q + 8) by x's signed bytes; then 8·Σx comes off, the sum
    // (|Σ q·x| ≤ 32·8·127, a 16-bit value) times the group's multiplier is one vpmaddwd against m zero-extended to
    // 32 bits (the high half's product is 0), exact, into the totals.
    public static void Int4Block(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y)
    {
        // Where AVX-512BW is there too, its 512-bit pmaddubsw form is faster for nibbles (measured 1.16–1.23x in one
        // process here): no 512-bit vpdpbusd in .NET 10, and the 256-bit one spends two instructions per 64 weights on
        // unpacking as well as two on products.
        if (Avx512BW.IsSupported) Int8DotAvx512BwMaddubs.Int4Block(ref w, ref x, ref corrections, groups, ref y);
        else Int4Block256(ref w, ref x, ref corrections, groups, ref y);
    }

    /// <summary>The 256-bit vpdpbusd int4 block, for CPUs with AVX-VNNI and no AVX-512 (public so tests run it wherever AVX-VNNI is).</summary>
    public static void Int4Block256(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y)
    {
        Vector256<byte> low = Vector256.Create((byte)0x0F), high = Vector256.Create((byte)0xF0);
        for (int half = 0; half < 2; half++)
        {
            Vector256<int> t0 = default, t1 = default, t2 = default, t3 = default;
            for (int g = 0; g < groups; g++)
            {
                ref byte group = ref Unsafe.Add(ref w, g * Int4Panels.GroupBytes);
                ref byte xg = ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, g * Int4Panels.GroupColumns));
                // Low nibbles as bytes 0..15; high ones left in place, as 16·n (≤ 240, still a u8): their sums are 16
                // times too large, exactly, and one arithmetic shift per group puts them right.
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
                for (int p = 0; p < 4; p++)
                {
                    Vector256<sbyte> xLow = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p))).AsSByte();
                    Vector256<sbyte> xHigh = Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p + 4))).AsSByte();
                    ref byte slot = ref Unsafe.Add(ref group, Int4Panels.SlotBytes * p + 128 * half); // this half's 32 rows
                    Vector256<byte> v0 = Vector256.LoadUnsafe(ref slot), v1 = Vector256.LoadUnsafe(ref slot, 32);
                    Vector256<byte> v2 = Vector256.LoadUnsafe(ref slot, 64), v3 = Vector256.LoadUnsafe(ref slot, 96);
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, v0 & low, xLow);
                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, v1 & low, xLow);
                    a2 = AvxVnni.MultiplyWideningAndAdd(a2, v2 & low, xLow);
                    a3 = AvxVnni.MultiplyWideningAndAdd(a3, v3 & low, xLow);
                    b0 = AvxVnni.MultiplyWideningAndAdd(b0, v0 & high, xHigh);
                    b1 = AvxVnni.MultiplyWideningAndAdd(b1, v1 & high, xHigh);
                    b2 = AvxVnni.MultiplyWideningAndAdd(b2, v2 & high, xHigh);
                    b3 = AvxVnni.MultiplyWideningAndAdd(b3, v3 & high, xHigh);
                }
                Vector256<int> correction = Vector256.Create(Unsafe.Add(ref corrections, 2 * g));
                ref byte m = ref Unsafe.Add(ref group, 4 * Int4Panels.SlotBytes + 32 * half); // the multipliers follow the slots
                t0 += Avx2.MultiplyAddAdjacent((a0 + (b0 >> 4) - correction).AsInt16(), Multipliers(ref m, 0));
                t1 += Avx2.MultiplyAddAdjacent((a1 + (b1 >> 4) - correction).AsInt16(), Multipliers(ref m, 8));
                t2 += Avx2.MultiplyAddAdjacent((a2 + (b2 >> 4) - correction).AsInt16(), Multipliers(ref m, 16));
                t3 += Avx2.MultiplyAddAdjacent((a3 + (b3 >> 4) - correction).AsInt16(), Multipliers(ref m, 24));
            }
            ref int out32 = ref Unsafe.Add(ref y, 32 * half);
            t0.StoreUnsafe(ref out32); t1.StoreUnsafe(ref out32, 8); t2.StoreUnsafe(ref out32, 16); t3.StoreUnsafe(ref out32, 24);
        }
    }

    /// <summary>The high nibbles of each byte, as bytes 0..15 (a 16-bit shift, then the mask clears what crossed over).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> HighNibbles(Vector256<byte> v, Vector256<byte> low) => (v.AsUInt16() >> 4).AsByte() & low;

    /// <summary>Eight rows' multipliers from bytes [offset, offset + 8), each zero-extended to a 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<short> Multipliers(ref byte m, int offset) =>
        Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref m, offset))).AsByte()).AsInt16();

    public static bool HasBlockPairs => true;

    /// <summary>AVX2's transpose-and-add (every CPU with this variant has AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) => Int8DotAvx2Maddubs.Reduce4(a, b, c, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulateBlockPair(Vector256<int> acc, ref sbyte w, ref sbyte x0, ref sbyte x1) =>
        AvxVnni.MultiplyWideningAndAdd(acc,
            Vector256.Create(Vector128.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x0)), Vector128.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x1))),
            Vector256.LoadUnsafe(ref w));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulatePair(Vector256<int> acc, ref sbyte w, ref sbyte x) =>
        AvxVnni.MultiplyWideningAndAdd(acc, Vector256.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x)), Vector256.LoadUnsafe(ref w));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) =>
        AvxVnni.MultiplyWideningAndAdd(acc, Vector128.LoadUnsafe(ref Unsafe.As<sbyte, byte>(ref x)), Vector128.LoadUnsafe(ref w));
}
