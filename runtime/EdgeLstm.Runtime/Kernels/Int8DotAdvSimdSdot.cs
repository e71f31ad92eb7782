using System.Runtime.Intrinsics.Arm;

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

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y) =>
        Int8DotRows.FourByOne<Int8DotAdvSimdSdot>(ref w, stride, ref x, length, ref y);

    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) =>
        Dp.DotProduct(acc, Vector128.LoadUnsafe(ref w), Vector128.LoadUnsafe(ref x));
}
