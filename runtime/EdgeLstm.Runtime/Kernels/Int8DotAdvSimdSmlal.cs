using System.Runtime.Intrinsics.Arm;

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

    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) =>
        Block(acc, Vector128.LoadUnsafe(ref w), Vector128.LoadUnsafe(ref x));
}
