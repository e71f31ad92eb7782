namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A stream of steps through one <see cref="FloatLstmModel"/>: it owns the h and c of every layer.
/// Not thread-safe; use one session per thread (the model itself is shared read-only).
/// </summary>
public sealed class FloatLstmSession : ILanguageModelSession
{
    private readonly FloatLstmModel _model;
    private readonly FloatEncoder _encoder;
    private readonly float[] _logits;

    internal FloatLstmSession(FloatLstmModel model, bool reference)
    {
        if (!model.Description.IsSteppable)
            throw new NotSupportedException($"a '{model.Description.Task}' model with {FloatLstmModel.Summary(model.Description)} runs whole sequences, not steps: use CreateRunner");
        _model = model;
        _encoder = new FloatEncoder(model, reference: reference);
        _logits = new float[model.OutputSize];
    }

    public FloatLstmModel Model => _model;

    /// <summary>Nothing to release: the float weights are managed arrays.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// Called after every layer of every step with the layer's gate activations and new state (null: nobody, the
    /// default). Vectorized sessions only: the scalar reference keeps no activated gates.
    /// </summary>
    public ILstmStepObserver? Observer
    {
        get => _encoder.Observer;
        set => _encoder.Observer = value is null || !_encoder.IsReference ? value
            : throw new NotSupportedException("the scalar reference session does not report gate activations; observe a session from CreateSession()");
    }

    /// <summary>True when this session runs the scalar reference rather than the vectorized step.</summary>
    public bool IsReference => _encoder.IsReference;

    public ITokenizer Tokenizer => _model.Tokenizer;
    public int InputSize => _model.InputWidth;

    /// <summary>The logits after the last <see cref="Step"/>.</summary>
    public ReadOnlySpan<float> Logits => _logits;

    /// <summary>Sets h and c of every layer to zero, as at the start of a stream.</summary>
    public void Reset() => _encoder.State.Clear();

    public LstmState Snapshot()
    {
        var copy = new LstmState(Array.ConvertAll(_encoder.State.H, h => h.Length));
        _encoder.State.CopyTo(copy);
        return copy;
    }

    public void Restore(LstmState snapshot) => snapshot.CopyTo(_encoder.State);

    public int StateLength => _encoder.State.Length;

    public void SaveState(Span<float> state) => _encoder.State.Save(state);

    public void LoadState(ReadOnlySpan<float> state) => _encoder.State.Load(state);

    /// <summary>Feeds one token and returns the logits over the next token.</summary>
    public ReadOnlySpan<float> Step(int token) => Head(_encoder.Encode([token]));

    /// <summary>
    /// Feeds one float input vector as the first layer's input (a sequence model's input, or an embedding-space
    /// vector of a character model) and returns the output layer's values.
    /// </summary>
    public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input)
    {
        if (input.Length != _model.InputWidth)
            throw new ArgumentException($"input vector has {input.Length} values; the model takes {_model.InputWidth}", nameof(input));
        return Head(_encoder.Encode(input));
    }

    private ReadOnlySpan<float> Head(scoped ReadOnlySpan<float> top)
    {
        FloatOutputLayer.Apply(_model, top, 1, _logits, _encoder.IsReference);
        return _logits;
    }
}
