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

    /// <summary>A four-by-three product for a length the vector loop does not take: the three vectors one after another.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FourByThreeOneAtATime<TDot>(ref sbyte w, int stride, ref sbyte x0, ref sbyte x1, ref sbyte x2, int length, ref int y0, ref int y1, ref int y2)
        where TDot : struct, IInt8Dot
    {
        TDot.Dot4(ref w, stride, ref x0, length, ref y0);
        TDot.Dot4(ref w, stride, ref x1, length, ref y1);
        TDot.Dot4(ref w, stride, ref x2, length, ref y2);
    }
}
