namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// Picks kernels: <see cref="CreateBest"/> for the fastest this CPU supports, <see cref="AllSupported"/> for
/// tests and benchmarks that run every variant on one machine. The environment variable
/// <c>EDGELSTM_KERNEL</c> (a variant name such as <c>avx2-maddubs</c> or <c>scalar</c>) forces one.
/// </summary>
public static class LstmKernels
{
    public const string EnvironmentVariable = "EDGELSTM_KERNEL";

    /// <summary>Every variant this build knows, fastest first, whether or not this CPU runs it.</summary>
    public static IReadOnlyList<(string Name, bool Supported, Func<ILstmKernels> Create)> All { get; } =
    [
        (Int8DotAvxVnni.Name, Int8DotAvxVnni.IsSupported, () => new Int8LstmKernels<Int8DotAvxVnni>()),
        (Int8DotAvx512BwMaddubs.Name, Int8DotAvx512BwMaddubs.IsSupported, () => new Int8LstmKernels<Int8DotAvx512BwMaddubs>()),
        (Int8DotAvx2Maddubs.Name, Int8DotAvx2Maddubs.IsSupported, () => new Int8LstmKernels<Int8DotAvx2Maddubs>()),
        (Int8DotAdvSimdSdot.Name, Int8DotAdvSimdSdot.IsSupported, () => new Int8LstmKernels<Int8DotAdvSimdSdot>()),
        (Int8DotAdvSimdSmlal.Name, Int8DotAdvSimdSmlal.IsSupported, () => new Int8LstmKernels<Int8DotAdvSimdSmlal>()),
        (Int8DotVector128Widen.Name, Int8DotVector128Widen.IsSupported, () => new Int8LstmKernels<Int8DotVector128Widen>()),
        (Int8DotScalar.Name, Int8DotScalar.IsSupported, () => new Int8LstmKernels<Int8DotScalar>()),
    ];

    private static readonly Lazy<ILstmKernels> Best = new(() => CreateBest());

    /// <summary>The process-wide default: <see cref="CreateBest"/>, computed once.</summary>
    public static ILstmKernels Default => Best.Value;

    public static IEnumerable<ILstmKernels> AllSupported()
    {
        foreach (var (_, supported, create) in All)
            if (supported) yield return create();
    }

    public static ILstmKernels CreateBest()
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(forced)) return Create(forced);
        foreach (var (_, supported, create) in All)
            if (supported) return create();
        throw new InvalidOperationException("no kernel variant is supported"); // unreachable: scalar always is
    }

    public static ILstmKernels Create(string name)
    {
        foreach (var (n, supported, create) in All)
        {
            if (n != name) continue;
            if (!supported) throw new ArgumentException($"{EnvironmentVariable}={name}: this CPU does not support that kernel variant");
            return create();
        }
        throw new ArgumentException($"{EnvironmentVariable}={name} is not a kernel variant; known: {string.Join(", ", All.Select(v => v.Name))}");
    }
}
