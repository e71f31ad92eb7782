namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The float encoder: N streams × T steps through every layer and direction of a model's encoder, the one stack
/// loop every float path runs. A session is (1 stream, 1 step, state kept), a batch (N, 1), a whole-sequence runner
/// (1, T) from zero state, the attention decoder's encoder (1, T). It owns layer 0's input (embedding rows, or float
/// vectors normalised as the description says) and the token checks; each layer is <see cref="FloatRecurrence"/>,
/// whose fixed summation order makes every shape give the same bits. Inputs and outputs are step-major:
/// [step][stream][width]. Buffers grow to the longest run; after that nothing is allocated. Not thread-safe.
/// </summary>
[SkipLocalsInit]
public sealed class FloatEncoder
{
    private readonly FloatLstmModel _model;
    private readonly int _streams, _widest, _hidden;
    private readonly bool _reference;
    private readonly LstmState _state, _reverseState; // per layer: streams × H (the reverse one empty where a layer has one direction)
    private float[] _x = [], _y = [], _scratch = [];
    private int _capacity;

    /// <param name="streams">Independent streams run side by side (a batch); each weight row is read once for all.</param>
    /// <param name="steps">Steps the buffers hold at first; they grow to the longest run.</param>
    /// <param name="reference">Each step through the scalar <see cref="FloatLstmReference"/> instead: the tests' oracle.</param>
    public FloatEncoder(FloatLstmModel model, int streams = 1, int steps = 1, bool reference = false)
    {
        if (streams < 1) throw new ArgumentOutOfRangeException(nameof(streams), streams, "at least one stream");
        ModelDescription d = model.Description;
        _model = model;
        _streams = streams;
        _reference = reference;
        _widest = d.WidestLayerVector;
        _hidden = d.WidestHidden;
        (_state, _reverseState) = LstmState.ForEncoder(d, streams);
        Reserve(Math.Max(1, steps));
    }

    public FloatLstmModel Model => _model;
    public int Streams => _streams;
    public bool IsReference => _reference;

    /// <summary>
    /// Each forward-only layer's h and c, streams side by side: what carries from one run to the next (a session's
    /// state). Bidirectional and reverse layers start every run from zero.
    /// </summary>
    public LstmState State => _state;

    /// <summary>
    /// Called after every layer of a one-stream, one-step run with the layer's activated gates and new state (null:
    /// nobody). Not with the scalar reference, which keeps no activated gates.
    /// </summary>
    public ILstmStepObserver? Observer { get; set; }

    /// <summary>Sets every layer's h and c to zero, as at the start of a stream.</summary>
    public void Reset()
    {
        _state.Clear();
        _reverseState.Clear();
    }

    /// <summary>
    /// Runs token ids, [step][stream] (tokens.Length a multiple of <see cref="Streams"/>), through every layer from the
    /// current state. Returns the top layer's outputs [step][stream][EncoderWidth], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Encode(scoped ReadOnlySpan<int> tokens) => Encode(tokens, default);

    /// <summary>
    /// Token ids with, for a model with input.affixes, each token's affix ids ([step][stream][PerWord],
    /// <see cref="WordAffixes"/>): layer 0 reads the token's embedding row, then the sum of its affix rows (in order).
    /// </summary>
    public ReadOnlySpan<float> Encode(scoped ReadOnlySpan<int> tokens, scoped ReadOnlySpan<int> affixes)
    {
        if (!_model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; give it input vectors");
        if (tokens.IsEmpty) throw new ArgumentException("a sequence needs at least one token", nameof(tokens));
        if (tokens.Length % _streams != 0) throw new ArgumentException($"expected a multiple of {_streams} tokens, one per stream and step", nameof(tokens));
        ModelDescription d = _model.Description;
        WordAffixes.Check(d, tokens.Length, affixes);
        int e = _model.InputWidth, width = d.LayerInputWidth(0), vocabulary = _model.Tokenizer.VocabularySize, steps = tokens.Length / _streams;
        int per = d.Input.Affixes?.PerWord ?? 0, a = width - e;
        Reserve(steps);
        for (int i = 0; i < tokens.Length; i++)
        {
            int token = tokens[i];
            if ((uint)token >= (uint)vocabulary) throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id must be below {vocabulary}");
            _model.Embedding.AsSpan(token * e, e).CopyTo(_x.AsSpan(i * width, e));
            if (per == 0) continue;
            Span<float> sum = _x.AsSpan(i * width + e, a);
            sum.Clear();
            foreach (int id in affixes.Slice(i * per, per))
            {
                ReadOnlySpan<float> row = _model.Affixes.AsSpan(id * a, a);
                for (int j = 0; j < a; j++) sum[j] += row[j];
            }
        }
        return Layers(steps);
    }

    /// <summary>Runs float input vectors, [step][stream][input size], normalised as the description says; returns what <see cref="Encode(ReadOnlySpan{int})"/> does.</summary>
    public ReadOnlySpan<float> Encode(scoped ReadOnlySpan<float> vectors)
    {
        InputDescription input = _model.Description.Input;
        int size = _model.Description.LayerInputWidth(0), steps = VectorNormalization.StepsOf(size, _streams, vectors);
        Reserve(steps);
        vectors.CopyTo(_x);
        VectorNormalization.Apply(input, _x.AsSpan(0, vectors.Length));
        return Layers(steps);
    }

    /// <summary>
    /// Every layer over the steps in _x (each direction of a bidirectional one, and a reverse one, from zero state: a
    /// walk from the last step has no "before"); the top layer's outputs end in _x.
    /// </summary>
    private ReadOnlySpan<float> Layers(int steps)
    {
        ModelDescription d = _model.Description;
        int n = _streams;
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            EncoderLayerDescription layer = d.Encoder[k];
            for (int direction = 0; direction < layer.Directions; direction++)
            {
                bool reverse = layer.ReadsBackward(direction);
                LstmState state = direction == 1 ? _reverseState : _state;
                if (!layer.ForwardOnly)
                {
                    Array.Clear(state.H[k]);
                    Array.Clear(state.C[k]);
                }
                FloatLstmLayer weights = direction == 1 ? _model.ReverseLayers[k]! : _model.Layers[k];
                if (_reference) Reference(weights, steps, reverse, state.H[k], state.C[k], layer.OutputWidth, direction * layer.Hidden);
                else FloatRecurrence.Run(weights, _x, steps, n, reverse, state.H[k], state.C[k], _y, layer.OutputWidth, direction * layer.Hidden, _scratch);
                // One step of one stream leaves its gates' pre-activations in _scratch[..4H] (FloatCellUpdate.Apply).
                if (Observer is { } observer && steps == 1 && n == 1 && !_reference)
                {
                    FloatCellUpdate.ActivateGates(_scratch.AsSpan(0, 4 * layer.Hidden));
                    observer.OnLayerStep(k, _scratch.AsSpan(0, 4 * layer.Hidden), state.H[k], state.C[k]);
                }
            }
            (_x, _y) = (_y, _x);
        }
        return _x.AsSpan(0, steps * n * d.EncoderWidth);
    }

    /// <summary>The scalar reference: one step of one stream at a time, in the recurrence's order.</summary>
    private void Reference(FloatLstmLayer layer, int steps, bool reverse, float[] h, float[] c, int stride, int offset)
    {
        int hidden = layer.HiddenSize, width = layer.InputSize, n = _streams;
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            for (int b = 0; b < n; b++)
            {
                Span<float> hb = h.AsSpan(b * hidden, hidden);
                FloatLstmReference.Step(layer, _x.AsSpan((t * n + b) * width, width), hb, c.AsSpan(b * hidden, hidden), _scratch);
                hb.CopyTo(_y.AsSpan((t * n + b) * stride + offset, hidden));
            }
        }
    }

    private void Reserve(int steps)
    {
        if (_capacity >= steps) return;
        int capacity = (int)Math.Min(int.MaxValue / 2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps));
        _x = new float[capacity * _streams * _widest];
        _y = new float[capacity * _streams * _widest];
        _scratch = new float[Math.Max(FloatRecurrence.ScratchLength(_hidden, _streams, capacity), 4 * _hidden)];
        _capacity = capacity;
    }
}
