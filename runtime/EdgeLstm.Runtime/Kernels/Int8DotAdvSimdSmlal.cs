using System.Runtime.Intrinsics.Arm;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>ARM64 NEON: smull/smlal2 (int8 × int8 → int16, |sum of two| ≤ 32258) then sadalp into int32.</summary>
public struct Int8DotAdvSimdSmlal : IInt8Dot
{
    public static string Name => "neon-smlal";
    public static string Requires => "ARM64 AdvSIMD";
    public static bool IsSupported => AdvSimd.Arm64.IsSupported;
    public static int FloatWidth => 4;
    public static bool BiasedActivations => false;
    public static int RowMultiple => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Block(Vector128<int> acc, Vector128<sbyte> w, Vector128<sbyte> x)
    {
        Vector128<short> p = AdvSimd.MultiplyWideningLower(w.GetLower(), x.GetLower());
        p = AdvSimd.MultiplyWideningUpperAndAdd(p, w, x);
        return AdvSimd.AddPairwiseWideningAndAdd(acc, p);
    }

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        var acc = Vector128<int>.Zero;
        int j = 0;
        for (; j + 16 <= length; j += 16)
            acc = Block(acc, Vector128.LoadUnsafe(ref w, (nuint)j), Vector128.LoadUnsafe(ref x, (nuint)j));
        int sum = AdvSimd.Arm64.AddAcross(acc).ToScalar();
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y) =>
        Int8DotRows.FourByOne<Int8DotAdvSimdSmlal>(ref w, stride, ref x, length, ref y);

    // Two passes of 32 rows. Per group, each 4-row vector gets two int16 accumulators (its rows 0–1 and 2–3, four
    // column positions each): smlal/smlal2 of the nibbles (q + 8, bytes 0..15) by x's quad duplicated — eight
    // products a lane, ≤ 8·15·127 = 15,240, inside int16. Then saddlp and addp give each row's sum, 8·Σx comes off
    // and mla applies the group's multiplier, exactly.
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
                Vector128<short> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                Vector128<short> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
                for (int p = 0; p < 4; p++)
                {
                    Vector128<sbyte> xLow = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p))).AsSByte();
                    Vector128<sbyte> xHigh = Vector128.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref xg, 8 * p + 4))).AsSByte();
                    ref byte slot = ref Unsafe.Add(ref group, Int4Panels.SlotBytes * p + 128 * half); // this half's 32 rows
                    Nibbles(ref a0, ref b0, Vector128.LoadUnsafe(ref slot), low, xLow, xHigh);
                    Nibbles(ref a1, ref b1, Vector128.LoadUnsafe(ref slot, 16), low, xLow, xHigh);
                    Nibbles(ref a2, ref b2, Vector128.LoadUnsafe(ref slot, 32), low, xLow, xHigh);
                    Nibbles(ref a3, ref b3, Vector128.LoadUnsafe(ref slot, 48), low, xLow, xHigh);
                    Nibbles(ref a4, ref b4, Vector128.LoadUnsafe(ref slot, 64), low, xLow, xHigh);
                    Nibbles(ref a5, ref b5, Vector128.LoadUnsafe(ref slot, 80), low, xLow, xHigh);
                    Nibbles(ref a6, ref b6, Vector128.LoadUnsafe(ref slot, 96), low, xLow, xHigh);
                    Nibbles(ref a7, ref b7, Vector128.LoadUnsafe(ref slot, 112), low, xLow, xHigh);
                }
                Vector128<int> correction = Vector128.Create(Unsafe.Add(ref corrections, 2 * g));
                ref byte m = ref Unsafe.Add(ref group, 4 * Int4Panels.SlotBytes + 32 * half); // the multipliers follow the slots
                Vector128<byte> m0 = Vector128.LoadUnsafe(ref m), m1 = Vector128.LoadUnsafe(ref m, 16);
                Vector128<ushort> w0 = AdvSimd.ZeroExtendWideningLower(m0.GetLower()), w1 = AdvSimd.ZeroExtendWideningUpper(m0);
                Vector128<ushort> w2 = AdvSimd.ZeroExtendWideningLower(m1.GetLower()), w3 = AdvSimd.ZeroExtendWideningUpper(m1);
                t0 = AdvSimd.MultiplyAdd(t0, Rows(a0, b0) - correction, AdvSimd.ZeroExtendWideningLower(w0.GetLower()).AsInt32());
                t1 = AdvSimd.MultiplyAdd(t1, Rows(a1, b1) - correction, AdvSimd.ZeroExtendWideningUpper(w0).AsInt32());
                t2 = AdvSimd.MultiplyAdd(t2, Rows(a2, b2) - correction, AdvSimd.ZeroExtendWideningLower(w1.GetLower()).AsInt32());
                t3 = AdvSimd.MultiplyAdd(t3, Rows(a3, b3) - correction, AdvSimd.ZeroExtendWideningUpper(w1).AsInt32());
                t4 = AdvSimd.MultiplyAdd(t4, Rows(a4, b4) - correction, AdvSimd.ZeroExtendWideningLower(w2.GetLower()).AsInt32());
                t5 = AdvSimd.MultiplyAdd(t5, Rows(a5, b5) - correction, AdvSimd.ZeroExtendWideningUpper(w2).AsInt32());
                t6 = AdvSimd.MultiplyAdd(t6, Rows(a6, b6) - correction, AdvSimd.ZeroExtendWideningLower(w3.GetLower()).AsInt32());
                t7 = AdvSimd.MultiplyAdd(t7, Rows(a7, b7) - correction, AdvSimd.ZeroExtendWideningUpper(w3).AsInt32());
            }
            ref int out32 = ref Unsafe.Add(ref y, 32 * half);
            t0.StoreUnsafe(ref out32); t1.StoreUnsafe(ref out32, 4); t2.StoreUnsafe(ref out32, 8); t3.StoreUnsafe(ref out32, 12);
            t4.StoreUnsafe(ref out32, 16); t5.StoreUnsafe(ref out32, 20); t6.StoreUnsafe(ref out32, 24); t7.StoreUnsafe(ref out32, 28);
        }
    }

    /// <summary>Four rows' nibbles (16 bytes) times x's quads into the rows 0–1 (<paramref name="a"/>) and 2–3 (<paramref name="b"/>) accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Nibbles(ref Vector128<short> a, ref Vector128<short> b, Vector128<byte> v, Vector128<byte> low, Vector128<sbyte> xLow, Vector128<sbyte> xHigh)
    {
        Vector128<sbyte> lo = (v & low).AsSByte(), hi = AdvSimd.ShiftRightLogical(v, 4).AsSByte();
        a = AdvSimd.MultiplyWideningLowerAndAdd(a, lo.GetLower(), xLow.GetLower());
        b = AdvSimd.MultiplyWideningUpperAndAdd(b, lo, xLow);
        a = AdvSimd.MultiplyWideningLowerAndAdd(a, hi.GetLower(), xHigh.GetLower());
        b = AdvSimd.MultiplyWideningUpperAndAdd(b, hi, xHigh);
    }

    /// <summary>The four rows' sums: each row's four 16-bit lanes added pairwise into 32 bits, twice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Rows(Vector128<short> a, Vector128<short> b) =>
        AdvSimd.Arm64.AddPairwise(AdvSimd.AddPairwiseWidening(a), AdvSimd.AddPairwiseWidening(b));

    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) =>
        Block(acc, Vector128.LoadUnsafe(ref w), Vector128.LoadUnsafe(ref x));
}
