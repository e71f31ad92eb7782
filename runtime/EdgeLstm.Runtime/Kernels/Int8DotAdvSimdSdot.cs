using System.Runtime.Intrinsics.Arm;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>ARM64 dot-product extension: sdot sums four int8 × int8 products into each int32 lane, exactly.</summary>
public struct Int8DotAdvSimdSdot : IInt8Dot
{
    public static string Name => "neon-sdot";
    public static string Requires => "ARM64 with the sdot dot-product extension";
    public static bool IsSupported => Dp.IsSupported;
    public static int FloatWidth => 4;
    public static bool BiasedActivations => false;
    public static int RowMultiple => 16;

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        Vector128<int> acc0 = Vector128<int>.Zero, acc1 = Vector128<int>.Zero;
        int j = 0;
        for (; j + 32 <= length; j += 32)
        {
            acc0 = Dp.DotProduct(acc0, Vector128.LoadUnsafe(ref w, (nuint)j), Vector128.LoadUnsafe(ref x, (nuint)j));
            acc1 = Dp.DotProduct(acc1, Vector128.LoadUnsafe(ref w, (nuint)(j + 16)), Vector128.LoadUnsafe(ref x, (nuint)(j + 16)));
        }
        if (j + 16 <= length)
        {
            acc0 = Dp.DotProduct(acc0, Vector128.LoadUnsafe(ref w, (nuint)j), Vector128.LoadUnsafe(ref x, (nuint)j));
            j += 16;
        }
        int sum = AdvSimd.Arm64.AddAcross(AdvSimd.Add(acc0, acc1)).ToScalar();
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    /// <summary>Four rows against one x: each 16-byte slice of x loaded once for the four sdots (not timed natively: qemu only).</summary>
    public static bool HasPanels => true;

    // Two passes of 32 rows (eight accumulators of four rows); x's quad duplicated into every lane, so each sdot
    // multiplies four rows' four bytes by it.
    public static void PanelBlock(ref sbyte w, ref sbyte x, int quads, ref int y)
    {
        for (int half = 0; half < 2; half++)
        {
            ref sbyte rows = ref Unsafe.Add(ref w, 128 * half);
            Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int q = 0; q < quads; q++)
            {
                Vector128<sbyte> xv = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, 4 * q)))).AsSByte();
                ref sbyte p = ref Unsafe.Add(ref rows, 256 * q);
                a0 = Dp.DotProduct(a0, Vector128.LoadUnsafe(ref p), xv);
                a1 = Dp.DotProduct(a1, Vector128.LoadUnsafe(ref p, 16), xv);
                a2 = Dp.DotProduct(a2, Vector128.LoadUnsafe(ref p, 32), xv);
                a3 = Dp.DotProduct(a3, Vector128.LoadUnsafe(ref p, 48), xv);
                a4 = Dp.DotProduct(a4, Vector128.LoadUnsafe(ref p, 64), xv);
                a5 = Dp.DotProduct(a5, Vector128.LoadUnsafe(ref p, 80), xv);
                a6 = Dp.DotProduct(a6, Vector128.LoadUnsafe(ref p, 96), xv);
                a7 = Dp.DotProduct(a7, Vector128.LoadUnsafe(ref p, 112), xv);
            }
            ref int out32 = ref Unsafe.Add(ref y, 32 * half);
            a0.StoreUnsafe(ref out32); a1.StoreUnsafe(ref out32, 4); a2.StoreUnsafe(ref out32, 8); a3.StoreUnsafe(ref out32, 12);
            a4.StoreUnsafe(ref out32, 16); a5.StoreUnsafe(ref out32, 20); a6.StoreUnsafe(ref out32, 24); a7.StoreUnsafe(ref out32, 28);
        }
    }

    // Two passes of 32 rows (eight accumulators of four rows, eight totals). sdot multiplies the nibbles (q + 8, as
    // bytes 0..15) by x's signed bytes; 8·Σx comes off per group and mla applies the group's multiplier, exactly.
    public static void Int4Block(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y)
    {
        Vector128<byte> low = Vector128.Create((byte)0x0F);
        for (int half = 0; half < 2; half++)
        {
            Vector128<int> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default;
            for (int g = 0; g < groups; g++)
            {
                ref byte group = ref Unsafe.Add(ref w, g * Int4Panels.GroupBytes);
                ref byte xg = ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, g * Int4Panels.GroupColumns));
                Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int p = 0; p < 4; p++)
                {
                    Vector128<sbyte> xLow = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p))).AsSByte();
                    Vector128<sbyte> xHigh = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p + 4))).AsSByte();
                    ref byte slot = ref Unsafe.Add(ref group, Int4Panels.SlotBytes * p + 128 * half); // this half's 32 rows
                    a0 = Nibbles(a0, Vector128.LoadUnsafe(ref slot), low, xLow, xHigh);
                    a1 = Nibbles(a1, Vector128.LoadUnsafe(ref slot, 16), low, xLow, xHigh);
                    a2 = Nibbles(a2, Vector128.LoadUnsafe(ref slot, 32), low, xLow, xHigh);
                    a3 = Nibbles(a3, Vector128.LoadUnsafe(ref slot, 48), low, xLow, xHigh);
                    a4 = Nibbles(a4, Vector128.LoadUnsafe(ref slot, 64), low, xLow, xHigh);
                    a5 = Nibbles(a5, Vector128.LoadUnsafe(ref slot, 80), low, xLow, xHigh);
                    a6 = Nibbles(a6, Vector128.LoadUnsafe(ref slot, 96), low, xLow, xHigh);
                    a7 = Nibbles(a7, Vector128.LoadUnsafe(ref slot, 112), low, xLow, xHigh);
                }
                Vector128<int> correction = Vector128.Create(Unsafe.Add(ref corrections, 2 * g));
                ref byte m = ref Unsafe.Add(ref group, 4 * Int4Panels.SlotBytes + 32 * half); // the multipliers follow the slots
                Vector128<byte> m0 = Vector128.LoadUnsafe(ref m), m1 = Vector128.LoadUnsafe(ref m, 16);
                Vector128<ushort> w0 = AdvSimd.ZeroExtendWideningLower(m0.GetLower()), w1 = AdvSimd.ZeroExtendWideningUpper(m0);
                Vector128<ushort> w2 = AdvSimd.ZeroExtendWideningLower(m1.GetLower()), w3 = AdvSimd.ZeroExtendWideningUpper(m1);
                t0 = AdvSimd.MultiplyAdd(t0, a0 - correction, AdvSimd.ZeroExtendWideningLower(w0.GetLower()).AsInt32());
                t1 = AdvSimd.MultiplyAdd(t1, a1 - correction, AdvSimd.ZeroExtendWideningUpper(w0).AsInt32());
                t2 = AdvSimd.MultiplyAdd(t2, a2 - correction, AdvSimd.ZeroExtendWideningLower(w1.GetLower()).AsInt32());
                t3 = AdvSimd.MultiplyAdd(t3, a3 - correction, AdvSimd.ZeroExtendWideningUpper(w1).AsInt32());
                t4 = AdvSimd.MultiplyAdd(t4, a4 - correction, AdvSimd.ZeroExtendWideningLower(w2.GetLower()).AsInt32());
                t5 = AdvSimd.MultiplyAdd(t5, a5 - correction, AdvSimd.ZeroExtendWideningUpper(w2).AsInt32());
                t6 = AdvSimd.MultiplyAdd(t6, a6 - correction, AdvSimd.ZeroExtendWideningLower(w3.GetLower()).AsInt32());
                t7 = AdvSimd.MultiplyAdd(t7, a7 - correction, AdvSimd.ZeroExtendWideningUpper(w3).AsInt32());
            }
            ref int out32 = ref Unsafe.Add(ref y, 32 * half);
            t0.StoreUnsafe(ref out32); t1.StoreUnsafe(ref out32, 4); t2.StoreUnsafe(ref out32, 8); t3.StoreUnsafe(ref out32, 12);
            t4.StoreUnsafe(ref out32, 16); t5.StoreUnsafe(ref out32, 20); t6.StoreUnsafe(ref out32, 24); t7.StoreUnsafe(ref out32, 28);
        }
    }

    /// <summary>Four rows' low nibbles against x's first quad and high nibbles (a byte shift) against its second.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Nibbles(Vector128<int> acc, Vector128<byte> v, Vector128<byte> low, Vector128<sbyte> xLow, Vector128<sbyte> xHigh) =>
        Dp.DotProduct(Dp.DotProduct(acc, (v & low).AsSByte(), xLow), AdvSimd.ShiftRightLogical(v, 4).AsSByte(), xHigh);

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        if (length % 16 != 0)
        {
            Int8DotRows.FourByOne<Int8DotAdvSimdSdot>(ref w, stride, ref x, length, ref y);
            return;
        }
        Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (nuint j = 0; j < (nuint)length; j += 16)
        {
            Vector128<sbyte> xv = Vector128.LoadUnsafe(ref x, j);
            a0 = Dp.DotProduct(a0, Vector128.LoadUnsafe(ref w, j), xv);
            a1 = Dp.DotProduct(a1, Vector128.LoadUnsafe(ref w, (nuint)stride + j), xv);
            a2 = Dp.DotProduct(a2, Vector128.LoadUnsafe(ref w, 2 * (nuint)stride + j), xv);
            a3 = Dp.DotProduct(a3, Vector128.LoadUnsafe(ref w, 3 * (nuint)stride + j), xv);
        }
        Sums(a0, a1, a2, a3).StoreUnsafe(ref y);
    }

    /// <summary>[Σa, Σb, Σc, Σd] by two rounds of pairwise adds (integers: the order does not change the sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Sums(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) =>
        AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a, b), AdvSimd.Arm64.AddPairwise(c, d));

    public static bool HasDot4x3 => true;

    /// <summary>
    /// Four rows × three vectors: twelve accumulators, three x slices and a weight slice — 16 of the 32 NEON registers;
    /// each weight load serves three vectors (whole-sequence projections and batches). Not timed natively (qemu only).
    /// </summary>
    public static void Dot4x3(ref sbyte w, int stride, ref sbyte x0, ref sbyte x1, ref sbyte x2, int length, ref int y0, ref int y1, ref int y2)
    {
        if (length % 16 != 0)
        {
            Int8DotRows.FourByThreeOneAtATime<Int8DotAdvSimdSdot>(ref w, stride, ref x0, ref x1, ref x2, length, ref y0, ref y1, ref y2);
            return;
        }
        Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector128<int> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector128<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (nuint j = 0; j < (nuint)length; j += 16)
        {
            Vector128<sbyte> xa = Vector128.LoadUnsafe(ref x0, j), xb = Vector128.LoadUnsafe(ref x1, j), xc = Vector128.LoadUnsafe(ref x2, j);
            Vector128<sbyte> r = Vector128.LoadUnsafe(ref w, j);
            a0 = Dp.DotProduct(a0, r, xa);
            b0 = Dp.DotProduct(b0, r, xb);
            c0 = Dp.DotProduct(c0, r, xc);
            r = Vector128.LoadUnsafe(ref w, (nuint)stride + j);
            a1 = Dp.DotProduct(a1, r, xa);
            b1 = Dp.DotProduct(b1, r, xb);
            c1 = Dp.DotProduct(c1, r, xc);
            r = Vector128.LoadUnsafe(ref w, 2 * (nuint)stride + j);
            a2 = Dp.DotProduct(a2, r, xa);
            b2 = Dp.DotProduct(b2, r, xb);
            c2 = Dp.DotProduct(c2, r, xc);
            r = Vector128.LoadUnsafe(ref w, 3 * (nuint)stride + j);
            a3 = Dp.DotProduct(a3, r, xa);
            b3 = Dp.DotProduct(b3, r, xb);
            c3 = Dp.DotProduct(c3, r, xc);
        }
        Sums(a0, a1, a2, a3).StoreUnsafe(ref y0);
        Sums(b0, b1, b2, b3).StoreUnsafe(ref y1);
        Sums(c0, c1, c2, c3).StoreUnsafe(ref y2);
    }

    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) =>
        Dp.DotProduct(acc, Vector128.LoadUnsafe(ref w), Vector128.LoadUnsafe(ref x));
}
