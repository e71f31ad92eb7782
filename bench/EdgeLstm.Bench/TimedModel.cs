using System.Runtime.CompilerServices;

namespace EdgeLstm.Bench;

/// <summary>
/// Wraps any model (ours or a peer's) and times every call the task evaluators make on it — a session's step, a
/// runner's whole sequence, a transducer's word — so the latency per item comes from the same run over the held-out
/// data as the metric, for every engine alike. The recorder costs one timestamp pair per call.
/// </summary>
internal sealed class TimedModel(ILanguageModel inner, Func<ILanguageModel, ILanguageModelSession>? createSession = null,
    Func<ILanguageModel, ISequenceRunner>? createRunner = null, Func<ILanguageModel, ITransducer>? createTransducer = null) : ILanguageModel
{
    /// <summary>Microseconds of each call, in order.</summary>
    public List<double> Calls { get; } = new(1 << 16);


    public ModelDescription Description => inner.Description;
    public ITokenizer Tokenizer => inner.Tokenizer;
    public bool HasEmbedding => inner.HasEmbedding;
    public int InputWidth => inner.InputWidth;
    public int OutputSize => inner.OutputSize;
    public Runtime.Tagging.CrfTransitions? Crf => inner.Crf;
    public ILanguageModelSession CreateSession() => new Session(this, createSession is null ? inner.CreateSession() : createSession(inner));
    public ISequenceRunner CreateRunner() => new Runner(this, createRunner is null ? inner.CreateRunner() : createRunner(inner));
    public ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam) =>
        new Transducer(this, createTransducer is null ? inner.CreateTransducer(maxBeam) : createTransducer(inner));
    public void Dispose() => inner.Dispose();

    /// <summary>
    /// Records the time since <paramref name="start"/> and passes <paramref name="result"/> on. Called as
    /// <c>Timed(Stopwatch.GetTimestamp(), inner.Call(...))</c>: arguments are evaluated left to right, so the
    /// timestamp is taken before the call (spans cannot pass through a lambda).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T Timed<T>(long start, T result) where T : allows ref struct
    {
        Calls.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        return result;
    }

    private sealed class Session(TimedModel owner, ILanguageModelSession s) : ILanguageModelSession
    {
        public ITokenizer Tokenizer => s.Tokenizer;
        public int InputSize => s.InputSize;
        public ReadOnlySpan<float> Logits => s.Logits;
        public int StateLength => s.StateLength;

        public ReadOnlySpan<float> Step(int token) => owner.Timed(Stopwatch.GetTimestamp(), s.Step(token));

        public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input) => owner.Timed(Stopwatch.GetTimestamp(), s.StepInput(input));

        public void Reset() => s.Reset();
        public void SaveState(Span<float> state) => s.SaveState(state);
        public void LoadState(ReadOnlySpan<float> state) => s.LoadState(state);
        public void Dispose() => s.Dispose();
    }

    private sealed class Runner(TimedModel owner, ISequenceRunner r) : ISequenceRunner
    {
        public ModelDescription Description => r.Description;

        public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens) => owner.Timed(Stopwatch.GetTimestamp(), r.Run(tokens));

        public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes) => owner.Timed(Stopwatch.GetTimestamp(), r.Run(tokens, affixes));

        public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs) => owner.Timed(Stopwatch.GetTimestamp(), r.RunVectors(inputs));

        public void Dispose() => r.Dispose();
    }

    private sealed class Transducer(TimedModel owner, ITransducer t) : ITransducer
    {
        public ModelDescription Description => t.Description;
        public int MaxBeam => t.MaxBeam;

        public int Transduce(ReadOnlySpan<int> tokens, int beamWidth, Span<int> output) => owner.Timed(Stopwatch.GetTimestamp(), t.Transduce(tokens, beamWidth, output));

        public void Dispose() => t.Dispose();
    }
}
