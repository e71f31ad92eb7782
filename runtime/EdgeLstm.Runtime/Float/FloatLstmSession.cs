namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A stream of steps through one <see cref="FloatLstmModel"/>: it owns the h and c of every layer.
/// Not thread-safe; use one session per thread (the model itself is shared read-only).
/// </summary>
public sealed class FloatLstmSession : ILanguageModelSession
{
    private readonly FloatLstmModel _model;
    private readonly LstmState _state;
    private readonly float[] _input;
    private readonly float[] _gates;
    private readonly float[] _logits;
    private readonly bool _reference;

    internal FloatLstmSession(FloatLstmModel model, bool reference)
    {
        if (!model.Description.IsSteppable)
            throw new NotSupportedException($"a '{model.Description.Task}' model with {FloatLstmModel.Summary(model.Description)} runs whole sequences, not steps: use CreateRunner");
        _model = model;
        _reference = reference;
        var sizes = new int[model.Layers.Length];
        int maxHidden = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            sizes[k] = model.Layers[k].HiddenSize;
            maxHidden = Math.Max(maxHidden, sizes[k]);
        }
        _state = new LstmState(sizes);
        _input = new float[model.EmbeddingDim];
        _gates = new float[4 * maxHidden];
        _logits = new float[model.VocabularySize];
    }

    public FloatLstmModel Model => _model;

    /// <summary>Nothing to release: the float weights are managed arrays.</summary>
    public void Dispose()
    {
    }

    private ILstmStepObserver? _observer;

    /// <summary>
    /// Called after every layer of every step with the layer's gate activations and new state (null: nobody, the
    /// default). Vectorized sessions only: the scalar reference keeps no activated gates.
    /// </summary>
    public ILstmStepObserver? Observer
    {
        get => _observer;
        set => _observer = value is null || !_reference ? value
            : throw new NotSupportedException("the scalar reference session does not report gate activations; observe a session from CreateSession()");
    }

    /// <summary>True when this session runs the scalar reference rather than the vectorized step.</summary>
    public bool IsReference => _reference;

    public ITokenizer Tokenizer => _model.Tokenizer;
    public int InputSize => _model.EmbeddingDim;

    /// <summary>The logits after the last <see cref="Step"/>.</summary>
    public ReadOnlySpan<float> Logits => _logits;

    /// <summary>Sets h and c of every layer to zero, as at the start of a stream.</summary>
    public void Reset() => _state.Clear();

    public LstmState Snapshot()
    {
        var copy = new LstmState(Array.ConvertAll(_state.H, h => h.Length));
        _state.CopyTo(copy);
        return copy;
    }

    public void Restore(LstmState snapshot) => snapshot.CopyTo(_state);

    public int StateLength => _state.Length;

    public void SaveState(Span<float> state) => _state.Save(state);

    public void LoadState(ReadOnlySpan<float> state) => _state.Load(state);

    /// <summary>Feeds one token and returns the logits over the next token.</summary>
    public ReadOnlySpan<float> Step(int token)
    {
        if (!_model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; step it with StepInput");
        if ((uint)token >= (uint)_model.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be below {_model.VocabularySize}");
        int e = _model.EmbeddingDim;
        _model.Embedding.AsSpan(token * e, e).CopyTo(_input);
        return Forward();
    }

    /// <summary>
    /// Feeds one float input vector as the first layer's input (a sequence model's input, or an embedding-space
    /// vector of a character model) and returns the output layer's values.
    /// </summary>
    public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input)
    {
        if (input.Length != _input.Length)
            throw new ArgumentException($"input vector has {input.Length} values; the model takes {_input.Length}", nameof(input));
        input.CopyTo(_input);
        return Forward();
    }

    private ReadOnlySpan<float> Forward()
    {
        ReadOnlySpan<float> x = _input;
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            if (_reference) FloatLstmReference.Step(_model.Layers[k], x, _state.H[k], _state.C[k], _gates);
            else FloatRecurrence.Run(_model.Layers[k], x, 1, 1, reverse: false, _state.H[k], _state.C[k], default, 0, 0, _gates);
            // One step of one stream leaves the activated gates in _gates[..4H] (FloatLstmVectorStep.CellUpdate).
            _observer?.OnLayerStep(k, _gates.AsSpan(0, 4 * _state.H[k].Length), _state.H[k], _state.C[k]);
            x = _state.H[k];
        }
        _model.HeadBias.CopyTo(_logits, 0);
        if (_reference) FloatLstmReference.MatVecAdd(_model.HeadWeight, x, _logits);
        else FloatLstmVectorStep.MatVecAdd(_model.HeadWeight, x, _logits);
        return _logits;
    }
}
