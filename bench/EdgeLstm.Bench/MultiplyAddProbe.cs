using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeLstm.Bench;

/// <summary>
/// The roofline's other ceiling: how many int8 multiply-adds one core does per second with the instruction our
/// best x64 kernel uses (AVX-VNNI vpdpbusd on 256-bit registers, 32 multiply-adds each; .NET 10 has no 512-bit
/// form). Sixteen independent accumulators on registers, no memory traffic, so only the execution units limit it.
/// </summary>
[SkipLocalsInit]
internal static class MultiplyAddProbe
{
    public static bool IsSupported => AvxVnni.IsSupported;

    private const int Iterations = 4096;
    public const long MultiplyAddsPerCall = Iterations * 16L * 32;

    /// <summary>One call does <see cref="MultiplyAddsPerCall"/> multiply-adds (for interleaved timing).</summary>
    public static Action Runner()
    {
        var x = Vector256.Create((byte)3);
        var w = Vector256.Create((sbyte)-2);
        return () => Run(x, w);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Run(Vector256<byte> x, Vector256<sbyte> w)
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default,
            a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, w);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, w);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, w);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, w);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, w);
            a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, w);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, w);
            a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, w);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x, w);
            a9 = AvxVnni.MultiplyWideningAndAdd(a9, x, w);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x, w);
            a11 = AvxVnni.MultiplyWideningAndAdd(a11, x, w);
            a12 = AvxVnni.MultiplyWideningAndAdd(a12, x, w);
            a13 = AvxVnni.MultiplyWideningAndAdd(a13, x, w);
            a14 = AvxVnni.MultiplyWideningAndAdd(a14, x, w);
            a15 = AvxVnni.MultiplyWideningAndAdd(a15, x, w);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
        return sum.ToScalar();
    }
}
