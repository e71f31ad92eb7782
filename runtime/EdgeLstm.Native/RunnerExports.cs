using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Native;

/// <summary>
/// API version 5 of the C ABI: edgelstm_runner, a whole-sequence runner kept between calls. edgelstm_model_run_*
/// make a runner per call (any thread may share a model), which costs its buffers every time and rules out a
/// helper thread; a runner handle keeps both, so a host classifying or tagging many texts on one thread gets the
/// int8 runner's zero allocation and, with threads = 2, each bidirectional layer's directions on two cores.
/// </summary>
internal static unsafe class RunnerExports
{
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_runner_create")]
    public static int RunnerCreate(nint model, int threads, nint* runner) => NativeErrors.Guard(() =>
    {
        if (runner == null) throw new NativeException(NativeStatus.InvalidArgument, "runner is NULL");
        *runner = 0;
        var owner = HandleTable.Get<NativeModel>(model, "model");
        if (threads is < EncoderThreads.Auto or > 2) throw new NativeException(NativeStatus.InvalidArgument, $"threads must be 0 (auto), 1 or 2, got {threads}");
        // Float models run on one core whatever is asked, as in the CLI's --threads.
        ISequenceRunner created = owner.Model is QuantizedLstmModel q ? q.CreateRunner(LstmKernels.For(q), threads) : owner.Model.CreateRunner();
        *runner = HandleTable.Add(new NativeRunner(created, owner.TextTokenizer));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_runner_free")]
    public static int RunnerFree(nint runner) => NativeErrors.Guard(() =>
    {
        HandleTable.Remove<NativeRunner>(runner, "runner").Dispose();
        return NativeStatus.Ok;
    });

    /// <summary>The repeated call: no closure, and no allocation once the runner has seen its longest input.</summary>
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_runner_run_tokens")]
    [SkipLocalsInit]
    public static int RunnerRunTokens(nint runner, int* tokens, nuint length, NativeRunParams* parameters, float* outputs, nuint capacity, nuint* count)
    {
        try
        {
            var native = HandleTable.Get<NativeRunner>(runner, "runner");
            if (tokens == null) return NativeErrors.Fail(NativeStatus.InvalidArgument, "tokens is NULL");
            if (length == 0 || length > int.MaxValue) return NativeErrors.Fail(NativeStatus.InvalidArgument, $"length {length} must be in 1..{int.MaxValue}");
            return (int)SequenceExports.Run(native.Runner, new ReadOnlySpan<int>(tokens, (int)length), [], parameters, outputs, capacity, count);
        }
        catch (Exception e) { return NativeErrors.Fail(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_runner_run_text")]
    public static int RunnerRunText(nint runner, byte* utf8, NativeRunParams* parameters, float* outputs, nuint capacity, nuint* count) => NativeErrors.Guard(() =>
    {
        var native = HandleTable.Get<NativeRunner>(runner, "runner");
        var (tokens, affixes) = SequenceExports.Encode(native.Tokenizer, native.Runner.Description, utf8);
        return SequenceExports.Run(native.Runner, tokens, affixes, parameters, outputs, capacity, count);
    });
}
