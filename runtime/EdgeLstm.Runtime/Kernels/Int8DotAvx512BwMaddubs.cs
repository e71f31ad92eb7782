using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// AVX-512BW vpmaddubsw on 64 bytes at a time. AVX-512 has no vpsignb, so x·sign(w) is a masked negate;
/// where w = 0 the product is 0 whatever x gets, as |w| is 0.
/// </summary>
public struct Int8DotAvx512BwMaddubs : IInt8Dot
{
    public static string Name => "avx512bw-maddubs";
    public static bool IsSupported => Avx512BW.IsSupported;
    public static int FloatWidth => 16;

    public static int Dot(ref sbyte w, ref sbyte x, int length)
    {
        var acc = Vector512<int>.Zero;
        int j = 0;
        for (; j + 64 <= length; j += 64)
        {
            Vector512<sbyte> wv = Vector512.LoadUnsafe(ref w, (nuint)j), xv = Vector512.LoadUnsafe(ref x, (nuint)j);
            Vector512<sbyte> signed = Vector512.ConditionalSelect(Vector512.LessThan(wv, Vector512<sbyte>.Zero), -xv, xv);
            acc = Avx512BW.Add(acc, Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(wv), signed), Vector512<short>.One));
        }
        int sum = Vector512.Sum(acc);
        if (j + 32 <= length)
        {
            sum += Vector256.Sum(Int8DotAvx2Maddubs.Block(Vector256.LoadUnsafe(ref w, (nuint)j), Vector256.LoadUnsafe(ref x, (nuint)j)));
            j += 32;
        }
        if (j + 16 <= length)
        {
            sum += Int8DotAvx2Maddubs.Dot16(ref Unsafe.Add(ref w, j), ref Unsafe.Add(ref x, j));
            j += 16;
        }
        for (; j < length; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    public static int Dot16(ref sbyte w, ref sbyte x) => Int8DotAvx2Maddubs.Dot16(ref w, ref x);
}
