namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// Picks kernels: <see cref="CreateBest"/> for the fastest this CPU supports, <see cref="AllSupported"/> for
/// tests and benchmarks that run every variant on one machine. The environment variable
/// <c>EDGELSTM_KERNEL</c> (a variant name such as <c>avx2-maddubs</c> or <c>scalar</c>) forces one; a comma-separated
/// list forces the first that is exact for the file's weight bits (<c>avx512bw-maddubs-w7,avx512bw-maddubs</c>: what a
/// CPU with AVX-512BW and no AVX-VNNI picks, for 7- and 8-bit files alike).
/// </summary>
public static class LstmKernels
{
    public const string EnvironmentVariable = "EDGELSTM_KERNEL";

    /// <summary>Every variant this build knows, fastest first, whether or not this CPU runs it.</summary>
    public static IReadOnlyList<(string Name, bool Supported, string Requires, Func<ILstmKernels> Create)> All { get; } =
    [
        (Int8DotAvxVnni.Name, Int8DotAvxVnni.IsSupported, Int8DotAvxVnni.Requires, () => new Int8LstmKernels<Int8DotAvxVnni>()),
        (Int8DotAvx512BwSevenBit.Name, Int8DotAvx512BwSevenBit.IsSupported, Int8DotAvx512BwSevenBit.Requires, () => new Int8LstmKernels<Int8DotAvx512BwSevenBit>()),
        (Int8DotAvx512BwMaddubs.Name, Int8DotAvx512BwMaddubs.IsSupported, Int8DotAvx512BwMaddubs.Requires, () => new Int8LstmKernels<Int8DotAvx512BwMaddubs>()),
        (Int8DotAvx2Maddubs.Name, Int8DotAvx2Maddubs.IsSupported, Int8DotAvx2Maddubs.Requires, () => new Int8LstmKernels<Int8DotAvx2Maddubs>()),
        (Int8DotAdvSimdSdot.Name, Int8DotAdvSimdSdot.IsSupported, Int8DotAdvSimdSdot.Requires, () => new Int8LstmKernels<Int8DotAdvSimdSdot>()),
        (Int8DotAdvSimdSmlal.Name, Int8DotAdvSimdSmlal.IsSupported, Int8DotAdvSimdSmlal.Requires, () => new Int8LstmKernels<Int8DotAdvSimdSmlal>()),
        (Int8DotVector128Widen.Name, Int8DotVector128Widen.IsSupported, Int8DotVector128Widen.Requires, () => new Int8LstmKernels<Int8DotVector128Widen>()),
        (Int8DotScalar.Name, Int8DotScalar.IsSupported, Int8DotScalar.Requires, () => new Int8LstmKernels<Int8DotScalar>()),
    ];

    private static readonly Lazy<ILstmKernels> Best = new(() => CreateBest());
    private static readonly Lazy<ILstmKernels> BestSevenBit = new(() => CreateBest(weightBits: 7));

    /// <summary>The process-wide default for files with 8-bit weights: <see cref="CreateBest"/>, computed once.</summary>
    public static ILstmKernels Default => Best.Value;

    /// <summary>The process-wide default for a model: its file's weight bits decide which variants may run it.</summary>
    public static ILstmKernels For(Int8.QuantizedLstmModel model) => model.WeightBits == 7 ? BestSevenBit.Value : Best.Value;

    /// <summary>Every variant this CPU runs that is exact for weights of <paramref name="weightBits"/> bits (8: all but the 7-bit-only ones).</summary>
    public static IEnumerable<ILstmKernels> AllSupported(int weightBits = 8)
    {
        foreach (var (_, supported, _, create) in All)
        {
            if (!supported) continue;
            ILstmKernels kernels = create();
            if (!kernels.NeedsSevenBitWeights || weightBits == 7) yield return kernels;
        }
    }

    /// <summary>The variants this CPU cannot run, each with what it would need: what tests and `info` say was not run here.</summary>
    public static IEnumerable<(string Name, string Requires)> NotRunHere()
    {
        foreach (var (name, supported, requires, _) in All)
            if (!supported) yield return (name, requires);
    }

    /// <summary>The first variant in <see cref="All"/>'s order that this CPU runs and that is exact for the file's weight bits, or the forced one.</summary>
    public static ILstmKernels CreateBest(int weightBits = 8)
    {
        string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(forced)) return AllSupported(weightBits).First(); // scalar always is
        string[] names = forced.Split(',', StringSplitOptions.TrimEntries);
        if (names.Length == 1) return Create(forced);
        foreach (string name in names)
        {
            ILstmKernels kernels = Create(name);
            if (!kernels.NeedsSevenBitWeights || weightBits == 7) return kernels;
        }
        throw new ArgumentException($"{EnvironmentVariable}={forced}: none of these is exact for {weightBits}-bit weights (the -w7 variants need 7-bit files)");
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
