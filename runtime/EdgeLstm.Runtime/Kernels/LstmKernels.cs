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
    public static IReadOnlyList<(string Name, bool Supported, string Requires, Func<ILstmKernels> Create)> All { get; } =
    [
        (Int8DotAvxVnni.Name, Int8DotAvxVnni.IsSupported, Int8DotAvxVnni.Requires, () => new Int8LstmKernels<Int8DotAvxVnni>()),
        (Int8DotAvx512BwMaddubs.Name, Int8DotAvx512BwMaddubs.IsSupported, Int8DotAvx512BwMaddubs.Requires, () => new Int8LstmKernels<Int8DotAvx512BwMaddubs>()),
        (Int8DotAvx2Maddubs.Name, Int8DotAvx2Maddubs.IsSupported, Int8DotAvx2Maddubs.Requires, () => new Int8LstmKernels<Int8DotAvx2Maddubs>()),
        (Int8DotAdvSimdSdot.Name, Int8DotAdvSimdSdot.IsSupported, Int8DotAdvSimdSdot.Requires, () => new Int8LstmKernels<Int8DotAdvSimdSdot>()),
        (Int8DotAdvSimdSmlal.Name, Int8DotAdvSimdSmlal.IsSupported, Int8DotAdvSimdSmlal.Requires, () => new Int8LstmKernels<Int8DotAdvSimdSmlal>()),
        (Int8DotVector128Widen.Name, Int8DotVector128Widen.IsSupported, Int8DotVector128Widen.Requires, () => new Int8LstmKernels<Int8DotVector128Widen>()),
        (Int8DotScalar.Name, Int8DotScalar.IsSupported, Int8DotScalar.Requires, () => new Int8LstmKernels<Int8DotScalar>()),
    ];

    private static readonly Lazy<ILstmKernels> Best = new(() => CreateBest());

    /// <summary>The process-wide default: <see cref="CreateBest"/>, computed once.</summary>
    public static ILstmKernels Default => Best.Value;

    public static IEnumerable<ILstmKernels> AllSupported()
    {
        foreach (var (_, supported, _, create) in All)
            if (supported) yield return create();
    }

    /// <summary>The variants this CPU cannot run, each with what it would need: what tests and `info` say was not run here.</summary>
    public static IEnumerable<(string Name, string Requires)> NotRunHere()
    {
        foreach (var (name, supported, requires, _) in All)
            if (!supported) yield return (name, requires);
    }

    public static ILstmKernels CreateBest()
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(forced)) return Create(forced);
        foreach (var (_, supported, _, create) in All)
            if (supported) return create();
        throw new InvalidOperationException("no kernel variant is supported"); // unreachable: scalar always is
    }

    public static ILstmKernels Create(string name)
    {
        foreach (var (n, supported, _, create) in All)
        {
            if (n != name) continue;
            if (!supported) throw new ArgumentException($"{EnvironmentVariable}={name}: this CPU does not support that kernel variant");
            return create();
        }
        throw new ArgumentException($"{EnvironmentVariable}={name} is not a kernel variant; known: {string.Join(", ", All.Select(v => v.Name))}");
    }
}
