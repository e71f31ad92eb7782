namespace EdgeLstm.Runtime.Kernels;

/// <summary>Portable 128-bit: widen int8 to int16, multiply (|w·x| ≤ 16129 fits), widen to int32 and add.</summary>
public struct Int8DotVector128Widen : IInt8Dot
{
    public static string Name => "vector128-widen";
    public static string Requires => "128-bit SIMD, SSE or AdvSIMD";
    public static bool IsSupported => Vector128.IsHardwareAccelerated;
    public static int FloatWidth => 4;
    public static bool BiasedActivations => false;
    public static int RowMultiple => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Block(Vector128<sbyte> w, Vector128<sbyte> x)
    {
        var (wl, wh) = Vector128.Widen(w);
        var (xl, xh) = Vector128.Widen(x);
        var (pl0, pl1) = Vector128.Widen(wl * xl);
        var (ph0, ph1) = Vector128.Widen(wh * xh);
        return (pl0 + pl1) + (ph0 + ph1);
    }

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        var acc = Vector128<int>.Zero;
        int j = 0;
        for (; j + 16 <= length; j += 16)
            acc += Block(Vector128.LoadUnsafe(ref w, (nuint)j), Vector128.LoadUnsafe(ref x, (nuint)j));
        int sum = Vector128.Sum(acc);
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y) =>
        Int8DotRows.FourByOne<Int8DotVector128Widen>(ref w, stride, ref x, length, ref y);

    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) => acc + Block(Vector128.LoadUnsafe(ref w), Vector128.LoadUnsafe(ref x));
}
