using System.Runtime.Intrinsics.X86;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// AVX-512BW vpmaddubsw on 64 bytes at a time. AVX-512 has no vpsignb, so x·sign(w) is a masked negate;
/// where w = 0 the product is 0 whatever x gets, as |w| is 0.
/// </summary>
public struct Int8DotAvx512BwMaddubs : IInt8Dot
{
    public static string Name => "avx512bw-maddubs";
    public static string Requires => "x64 with AVX-512BW";
    public static bool IsSupported => Avx512BW.IsSupported;
    public static int FloatWidth => 16;
    public static bool BiasedActivations => false;
    public static int RowMultiple => 32;

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        var acc = Vector512<int>.Zero;
        int j = 0;
        for (; j + 64 <= length; j += 64)
        {
            acc += Block(Vector512.LoadUnsafe(ref w, (nuint)j), Vector512.LoadUnsafe(ref x, (nuint)j));
        }
        int sum = Vector512.Sum(acc);
        if (j + 32 <= length)
        {
            sum += Vector256.Sum(Int8DotAvx2Maddubs.Block(Vector256.LoadUnsafe(ref w, (nuint)j), Vector256.LoadUnsafe(ref x, (nuint)j)));
            j += 32;
        }
        if (j + 16 <= length)
        {
            sum += Vector128.Sum(Int8DotAvx2Maddubs.Block16Products(ref Unsafe.Add(ref w, j), ref Unsafe.Add(ref x, j)));
            j += 16;
        }
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Block(Vector512<sbyte> w, Vector512<sbyte> x) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(w),
            Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), -x, x)), Vector512<short>.One);

    public static void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y)
    {
        if (length % 64 != 0)
        {
            Int8DotAvx2Maddubs.Dot4(ref w, stride, ref x, length, ref y);
            return;
        }
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int j = 0; j < length; j += 64)
        {
            Vector512<sbyte> xv = Vector512.LoadUnsafe(ref x, (nuint)j);
            a0 += Block(Vector512.LoadUnsafe(ref w, (nuint)j), xv);
            a1 += Block(Vector512.LoadUnsafe(ref w, (nuint)(stride + j)), xv);
            a2 += Block(Vector512.LoadUnsafe(ref w, (nuint)(2 * stride + j)), xv);
            a3 += Block(Vector512.LoadUnsafe(ref w, (nuint)(3 * stride + j)), xv);
        }
        Int8DotAvx2Maddubs.Reduce4(Fold(a0), Fold(a1), Fold(a2), Fold(a3)).StoreUnsafe(ref y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Fold(Vector512<int> v) => v.GetLower() + v.GetUpper();

    public static bool HasBlockPairs => true;

    /// <summary>AVX2's transpose-and-add (every CPU with this variant has AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) => Int8DotAvx2Maddubs.Reduce4(a, b, c, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulateBlockPair(Vector256<int> acc, ref sbyte w, ref sbyte x0, ref sbyte x1) =>
        Int8DotAvx2Maddubs.AccumulateBlockPair(acc, ref w, ref x0, ref x1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AccumulatePair(Vector256<int> acc, ref sbyte w, ref sbyte x) => Int8DotAvx2Maddubs.AccumulatePair(acc, ref w, ref x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x) => Int8DotAvx2Maddubs.AccumulateBlock16(acc, ref w, ref x);
}
