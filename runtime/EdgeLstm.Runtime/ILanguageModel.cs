namespace EdgeLstm.Runtime;

/// <summary>
/// A loaded model of any task (float or int8), shared read-only by its sessions and runners: what it is is in
/// <see cref="Description"/>. Dispose it to release what it holds (an int8 model's memory-mapped file). Its
/// sessions may outlive it: each keeps the weights until it is disposed itself. No new session can be created
/// after disposal.
/// </summary>
public interface ILanguageModel : IDisposable
{
    /// <summary>Input, encoder and head: the one description every surface reads.</summary>
    ModelDescription Description { get; }
    /// <summary>The tokenizer; a model over float vectors has none and throws <see cref="NotSupportedException"/>.</summary>
    ITokenizer Tokenizer { get; }
    /// <summary>False for a "sequence" model: float input vectors instead of token ids.</summary>
    bool HasEmbedding { get; }
    /// <summary>Width of the first layer's input: the embedding size, or a sequence model's input vector size.</summary>
    int InputWidth { get; }
    /// <summary>Rows of the output layer: the vocabulary size, or a sequence model's output size.</summary>
    int OutputSize { get; }
    /// <summary>Steps the model token by token; only for forward-only models with a per-step head (<see cref="ModelDescription.IsSteppable"/>).</summary>
    ILanguageModelSession CreateSession();
    /// <summary>Runs whole sequences: every model, including bidirectional layers and pooled heads (sequence-to-sequence models: their encoder).</summary>
    ISequenceRunner CreateRunner();
    /// <summary>Sequence-to-sequence models (head attention-decoder): turns an input sequence into an output sequence.</summary>
    ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam);
    /// <summary>Tag models with head.crf: the transition scores that Viterbi decodes the outputs with; otherwise null.</summary>
    Tagging.CrfTransitions? Crf => null;
}

/// <summary>
/// Runs a whole sequence through a model: each layer over all steps (a bidirectional layer in both directions),
/// then the head. Buffers grow to the longest sequence seen and are reused: no allocation once warmed up.
/// Not thread-safe: one runner per thread. Dispose it to let go of the model's weights.
/// </summary>
public interface ISequenceRunner : IDisposable
{
    ModelDescription Description { get; }
    /// <summary>
    /// Token input. Returns the head's outputs, valid until the next call: a pooled head's <c>Head.Size</c> values,
    /// or a per-step head's steps × <c>Head.Size</c> values (step-major).
    /// </summary>
    ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens);
    /// <summary>
    /// Token input of a model with word affix features (<see cref="InputDescription.Affixes"/>): beside each token id,
    /// its word's <see cref="AffixDescription.PerWord"/> ids from <see cref="WordAffixes"/>, word-major. Returns what
    /// <see cref="Run(ReadOnlySpan{int})"/> does.
    /// </summary>
    ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes) =>
        affixes.IsEmpty ? Run(tokens) : throw new NotSupportedException("this runner does not read word affix ids");
    /// <summary>Vector input: steps × <c>Input.Size</c> floats (step-major), normalised by the stored mean and std if any.</summary>
    ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs);
}

/// <summary>
/// One stream of steps through a model; owns the recurrent state. One session per thread. Dispose it to stop
/// its helper thread (two-thread int8 sessions) and to let go of the model's weights.
/// </summary>
public interface ILanguageModelSession : IDisposable
{
    ITokenizer Tokenizer { get; }
    /// <summary>Feeds one token and returns the logits over the next token (valid until the next call).</summary>
    ReadOnlySpan<float> Step(int token);
    /// <summary>
    /// Feeds one float vector of <see cref="InputSize"/> values as the first layer's input and returns the output
    /// layer's values: how "sequence" models (no embedding) are stepped.
    /// </summary>
    ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input);
    /// <summary>Width of the first layer's input (the embedding size of a character model).</summary>
    int InputSize { get; }
    /// <summary>The logits (or outputs) after the last step; their length is the output layer's size.</summary>
    ReadOnlySpan<float> Logits { get; }
    /// <summary>Sets the recurrent state to zero, as at the start of a stream.</summary>
    void Reset();

    /// <summary>Floats in the recurrent state (h and c of every layer).</summary>
    int StateLength { get; }
    /// <summary>Copies the recurrent state out (length <see cref="StateLength"/>), layer by layer: h, then c.</summary>
    void SaveState(Span<float> state);
    /// <summary>Replaces the recurrent state with one saved by <see cref="SaveState"/>.</summary>
    void LoadState(ReadOnlySpan<float> state);

    /// <summary>Feeds several tokens and returns the logits after the last; implementations may batch the work.</summary>
    ReadOnlySpan<float> Prefill(ReadOnlySpan<int> tokens)
    {
        foreach (int token in tokens) Step(token);
        return Logits;
    }
}
