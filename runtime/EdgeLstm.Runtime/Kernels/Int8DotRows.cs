namespace EdgeLstm.Runtime.Kernels;

/// <summary>Four rows as four separate dot products: the <see cref="IInt8Dot.Dot4"/> of variants with no faster way.</summary>
internal static class Int8DotRows
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FourByOne<TDot>(ref sbyte w, int stride, ref sbyte x, int length, ref int y) where TDot : struct, IInt8Dot
    {
        y = TDot.Dot(ref w, ref x, length);
        Unsafe.Add(ref y, 1) = TDot.Dot(ref Unsafe.Add(ref w, stride), ref x, length);
        Unsafe.Add(ref y, 2) = TDot.Dot(ref Unsafe.Add(ref w, 2 * stride), ref x, length);
        Unsafe.Add(ref y, 3) = TDot.Dot(ref Unsafe.Add(ref w, 3 * stride), ref x, length);
    }
}
