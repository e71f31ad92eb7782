using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>Plain loops: the reference every other variant must match bit for bit.</summary>
public struct Int8DotScalar : IInt8Dot
{
    public static string Name => "scalar";
    public static bool IsSupported => true;
    public static int FloatWidth => 1;

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        int sum = 0;
        for (int j = 0; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        y = Dot(ref w, ref x, length);
        Unsafe.Add(ref y, 1) = Dot(ref Unsafe.Add(ref w, stride), ref x, length);
        Unsafe.Add(ref y, 2) = Dot(ref Unsafe.Add(ref w, 2 * stride), ref x, length);
        Unsafe.Add(ref y, 3) = Dot(ref Unsafe.Add(ref w, 3 * stride), ref x, length);
    }

    public static Vector128<int> Block16(ref sbyte w, ref sbyte x) => Vector128.CreateScalar(Dot(ref w, ref x, 16));
}
