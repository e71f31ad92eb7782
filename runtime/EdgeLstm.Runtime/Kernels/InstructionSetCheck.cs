using System.Runtime.Intrinsics.X86;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// Whether this build can use the vector instructions the CPU has. NativeAOT fixes the x64 instruction set at
/// compile time and defaults to x86-64-v2, where <c>Avx2.IsSupported</c> is false even on an AVX-512 CPU: such
/// a binary falls back to 128-bit kernels and steps 7–10x slower (docs/benchmarks.md). CPUID still tells what
/// the CPU has, so the CLI can say so instead of being silently slow.
/// </summary>
public static class InstructionSetCheck
{
    /// <summary>Null when the build uses what the CPU offers; otherwise one line saying what to rebuild with.</summary>
    public static string? Limitation() =>
        Describe(buildHasAvx2: Avx2.IsSupported, cpuHasAvx2: X86Base.IsSupported && CpuReportsAvx2());

    /// <summary>The decision alone (testable on any machine).</summary>
    public static string? Describe(bool buildHasAvx2, bool cpuHasAvx2) =>
        cpuHasAvx2 && !buildHasAvx2
            ? "this build targets baseline x86-64 and cannot use this CPU's AVX2: int8 steps run several times slower; " +
              "publish with -p:IlcInstructionSet=x86-64-v3 (or x86-64-v4 for AVX-512), as ./build.sh dist does"
            : null;

    private static bool CpuReportsAvx2()
    {
        // Leaf 7, sub-leaf 0: EBX bit 5 is AVX2 (Intel SDM vol. 2A, CPUID). Leaf 7 must exist (leaf 0's EAX).
        if (X86Base.CpuId(0, 0).Eax < 7) return false;
        return (X86Base.CpuId(7, 0).Ebx & (1 << 5)) != 0;
    }
}
