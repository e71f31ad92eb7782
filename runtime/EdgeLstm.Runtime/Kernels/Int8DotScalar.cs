namespace EdgeLstm.Runtime.Kernels;

/// <summary>Plain loops: the reference every other variant must match bit for bit.</summary>
public struct Int8DotScalar : IInt8Dot
{
    public static string Name => "scalar";
    public static string Requires => "nothing: it runs everywhere";
    public static bool IsSupported => true;
    public static int FloatWidth => 1;
    public static bool BiasedActivations => false;

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        int sum = 0;
        for (int j = 0; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y) =>
        Int8DotRows.FourByOne<Int8DotScalar>(ref w, stride, ref x, length, ref y);

    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) => acc + Vector128.CreateScalar(Dot(ref w, ref x, 16));
}
