using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Steps an int8 model, a stream of one: an <see cref="Int8Encoder"/> of one stream (which keeps the state between
/// steps) and the output layer on the top layer's h. Each matrix input is quantized by its own range per step
/// (layer 0's input is the int8 embedding row itself), products accumulate exactly in int32, and the gate
/// non-linearities and the cell state stay in float. <see cref="Step"/> allocates nothing. Not thread-safe: one
/// session per thread; the model is shared.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedLstmSession : ILanguageModelSession, IDisposable
{
    /// <summary>Prompt tokens run through each layer at a time by <see cref="Prefill"/>.</summary>
    public const int PrefillChunk = Int8Recurrence.Chunk;

    private readonly QuantizedLstmModel _model;
    private readonly Int8Encoder _encoder;
    private readonly Int8OutputLayer _head; // its buffer holds the logits: one vector, so it never grows

    internal QuantizedLstmSession(QuantizedLstmModel model, ILstmKernels kernels, int threads = 1)
    {
        if (!model.Description.IsSteppable)
            throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps: use CreateRunner");
        _model = model;
        _encoder = new Int8Encoder(model, kernels, streams: 1, threads, steps: PrefillChunk);
        _head = new Int8OutputLayer(model, kernels, encoder: _encoder);
    }

    public int Threads => _encoder.Threads;

    /// <summary>Stops the helper thread (two threads) and lets go of the model's file.</summary>
    public void Dispose() => _encoder.Dispose();

    public ITokenizer Tokenizer => _model.Tokenizer;
    public int InputSize => _model.InputWidth;
    public QuantizedLstmModel Model => _model;
    public ReadOnlySpan<float> Logits => _head.Outputs(1);
    public string KernelName => _encoder.Kernels.Name;

    public void Reset() => _encoder.Reset();
    public int StateLength => _encoder.State.Length;
    public void SaveState(Span<float> state) => _encoder.State.Save(state);
    public void LoadState(ReadOnlySpan<float> state) => _encoder.State.Load(state);

    public ReadOnlySpan<float> Step(int token) => Head(_encoder.Encode([token]));

    /// <summary>
    /// Feeds one float input vector as the first layer's input (a sequence model's input, or an embedding-space
    /// vector of a character model), quantized by its own range like every other activation, and returns the
    /// output layer's values. Allocates nothing.
    /// </summary>
    public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input)
    {
        int e = _model.InputWidth;
        if (input.Length != e) throw new ArgumentException($"input vector has {input.Length} values; the model takes {e}", nameof(input));
        return Head(_encoder.Encode(input));
    }

    /// <summary>
    /// Feeds a whole prompt and returns the logits after its last token, bit-identical to calling
    /// <see cref="Step"/> for each token: up to <see cref="PrefillChunk"/> tokens at a time through the encoder, whose
    /// input projections are one matrix × matrix product (each weight row read once for all of them).
    /// </summary>
    public ReadOnlySpan<float> Prefill(ReadOnlySpan<int> tokens)
    {
        if (!_model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; step it with StepInput");
        int vocabulary = _model.Embedding.Rows;
        foreach (int token in tokens) // all checked first: a bad token leaves the state as it was
            if ((uint)token >= (uint)vocabulary)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id must be below {vocabulary}");
        ReadOnlySpan<float> outputs = default;
        for (int start = 0; start < tokens.Length; start += PrefillChunk)
            outputs = _encoder.Encode(tokens.Slice(start, Math.Min(PrefillChunk, tokens.Length - start)));
        return tokens.IsEmpty ? Logits : Head(outputs);
    }

    /// <summary>The output layer on the top layer's h after the last step.</summary>
    private ReadOnlySpan<float> Head(scoped ReadOnlySpan<float> outputs)
    {
        int top = _model.Description.EncoderWidth;
        return _head.Apply(outputs[^top..], 1, _encoder.HScale(_model.Layers.Length - 1));
    }
}
