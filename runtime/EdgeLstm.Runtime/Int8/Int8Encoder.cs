using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// The int8 encoder: N streams × T steps through every layer and direction of a model's encoder, the one stack
/// loop every int8 path runs. A session is (1 stream, T ≥ 1 steps, state kept), a batch (N, 1), a whole-sequence
/// runner (1, T) from zero state, the attention decoder's encoder (1, T). It owns layer 0's input (the int8
/// embedding rows, or float vectors normalised and quantized by their own range), the token checks, each layer's
/// input quantization (the layer below's h by its static scale, or each vector's own range:
/// <see cref="Int8Recurrence.QuantizeH"/>), and the two-core split. Inputs and outputs are step-major:
/// [step][stream][width]. Buffers grow to the longest run; after that nothing is allocated.
/// Two threads: a bidirectional model runs each bidirectional layer's reverse direction on a helper core (the two
/// directions share only their inputs, read, and write disjoint halves of each output row, so the bits are those of
/// one thread); a model without bidirectional layers, of one stream, splits each layer's units (<see cref="Int8Recurrence"/>),
/// a reverse layer's too (it has no other direction to overlap with, and the split gives the bits of one thread).
/// Holds the model's file, and the helper thread, until disposed. Not thread-safe.
/// </summary>
[SkipLocalsInit]
public sealed class Int8Encoder : IDisposable
{
    private readonly QuantizedLstmModel _model;
    private readonly ILstmKernels _kernels;
    private readonly int _streams, _widest;
    private readonly Int8Recurrence _recurrence;
    // Two threads on a bidirectional model: the reverse direction's recurrence and helper. What the helper runs
    // next is in _reverseJob, written by this thread before StepHelperThread.Start and read by the helper after it;
    // Start and Join are full fences, so the helper sees the whole job and this thread sees all the helper wrote.
    private readonly Int8Recurrence? _reverseRecurrence;
    private readonly StepHelperThread? _helper;
    private (int Layer, int Steps) _reverseJob;
    private readonly LstmState _state, _reverseState; // per layer: streams × H (the reverse one empty where a layer has one direction)
    // Each layer's quantized input and, when the recurrence writes it directly, the next layer's; one scale per step and stream.
    private sbyte[] _xq = [], _nextXq = [];
    private float[] _xScales = [], _nextScales = [];
    private float[] _outputs = [];                    // the layer's float outputs: steps × streams × output width
    private int _capacity;                            // steps the buffers hold
    private int _disposed;

    /// <param name="streams">Independent streams run side by side (a batch); each weight row is read once for all.</param>
    /// <param name="threads">1, 2 (see the class summary) or <see cref="EncoderThreads.Auto"/>.</param>
    /// <param name="steps">Steps the buffers hold at first; they grow to the longest run.</param>
    public Int8Encoder(QuantizedLstmModel model, ILstmKernels kernels, int streams = 1, int threads = 1, int steps = 1)
    {
        if (streams < 1) throw new ArgumentOutOfRangeException(nameof(streams), streams, "at least one stream");
        threads = EncoderThreads.Resolve(model.Description, threads);
        if (kernels.NeedsSevenBitWeights)
        {
            if (model.WeightBits != 7)
                throw new ArgumentException($"kernels {kernels.Name} are exact only for files with 7-bit weights; {model.File.Source} has {model.WeightBits}-bit weights", nameof(kernels));
            model.CheckSevenBitWeights();
        }
        ModelDescription d = model.Description;
        _model = model;
        _kernels = kernels;
        _streams = streams;
        _widest = d.WidestLayerVector;
        (_state, _reverseState) = LstmState.ForEncoder(d, streams);
        bool splitDirections = threads == 2 && d.IsBidirectional;
        _recurrence = new Int8Recurrence(kernels, d.WidestHidden, streams, threads == 2 && !splitDirections ? 2 : 1);
        try
        {
            if (splitDirections)
            {
                _reverseRecurrence = new Int8Recurrence(kernels, d.WidestHidden, streams);
                _helper = new StepHelperThread(RunReverse);
            }
            Reserve(Math.Max(1, steps));
            model.File.Retain(); // throws if the model was disposed; released in Dispose
        }
        catch
        {
            _recurrence.Dispose();
            _helper?.Dispose();
            throw;
        }
    }

    public QuantizedLstmModel Model => _model;
    public ILstmKernels Kernels => _kernels;
    public int Streams => _streams;
    /// <summary>2 when a second core takes part (bidirectional layers' directions, or a forward model's units).</summary>
    public int Threads => _helper is not null || _recurrence.Threads == 2 ? 2 : 1;

    /// <summary>
    /// Each forward-only layer's h and c, streams side by side: what carries from one run to the next (a session's
    /// state). Bidirectional and reverse layers start every run from zero.
    /// </summary>
    public LstmState State => _state;

    /// <summary>Sets every layer's h and c to zero, as at the start of a stream.</summary>
    public void Reset()
    {
        _state.Clear();
        _reverseState.Clear();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _helper?.Dispose();
        _reverseRecurrence?.Dispose();
        _recurrence.Dispose();
        _model.File.Release();
    }

    /// <summary>
    /// Runs token ids, [step][stream] (tokens.Length a multiple of <see cref="Streams"/>), through every layer from the
    /// current state. Returns the top layer's outputs [step][stream][EncoderWidth], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Encode(scoped ReadOnlySpan<int> tokens) => Encode(tokens, default);

    /// <summary>
    /// Token ids with, for a model with input.affixes, each token's affix ids ([step][stream][PerWord],
    /// <see cref="WordAffixes"/>). Without affixes layer 0 reads the int8 embedding row and its scale as they are;
    /// with them, the row and the affix rows are dequantized, the affix rows summed in order after the row, and the
    /// vector quantized by its own range (scalar float sums and one rounding rule: the same bits on every kernel).
    /// </summary>
    public ReadOnlySpan<float> Encode(scoped ReadOnlySpan<int> tokens, scoped ReadOnlySpan<int> affixes)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!_model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; give it input vectors");
        if (tokens.IsEmpty) throw new ArgumentException("a sequence needs at least one token", nameof(tokens));
        if (tokens.Length % _streams != 0) throw new ArgumentException($"expected a multiple of {_streams} tokens, one per stream and step", nameof(tokens));
        ModelDescription d = _model.Description;
        WordAffixes.Check(d, tokens.Length, affixes);
        QuantizedMatrix embedding = _model.Embedding;
        int e = embedding.Columns, vocabulary = embedding.Rows, steps = tokens.Length / _streams;
        int width = d.LayerInputWidth(0), per = d.Input.Affixes?.PerWord ?? 0;
        Reserve(steps);
        ReadOnlySpan<sbyte> rows = embedding.Dense;
        for (int i = 0; i < tokens.Length; i++)
        {
            int token = tokens[i];
            if ((uint)token >= (uint)vocabulary) throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id must be below {vocabulary}");
            if (per == 0)
            {
                rows.Slice(token * e, e).CopyTo(_xq.AsSpan(i * e, e));
                _xScales[i] = embedding.Scales[token];
                continue;
            }
            Span<float> x = _outputs.AsSpan(i * width, width); // free until layer 0 writes it
            Dequantize(rows.Slice(token * e, e), embedding.Scales[token], x[..e]);
            AddAffixRows(affixes.Slice(i * per, per), x[e..]);
            _xScales[i] = _kernels.Quantize(x, _xq.AsSpan(i * width, width));
        }
        return Layers(steps);
    }

    private void AddAffixRows(ReadOnlySpan<int> ids, Span<float> sum)
    {
        QuantizedMatrix table = _model.Affixes!;
        int a = table.Columns;
        ReadOnlySpan<sbyte> values = table.Dense;
        sum.Clear();
        foreach (int id in ids)
        {
            ReadOnlySpan<sbyte> row = values.Slice(id * a, a);
            float scale = table.Scales[id];
            for (int j = 0; j < a; j++) sum[j] += row[j] * scale;
        }
    }

    private static void Dequantize(ReadOnlySpan<sbyte> row, float scale, Span<float> x)
    {
        for (int j = 0; j < row.Length; j++) x[j] = row[j] * scale;
    }

    /// <summary>
    /// Runs float input vectors, [step][stream][input size], normalised as the description says and each quantized
    /// by its own range (an embedding-space vector for a token model). Returns what <see cref="Encode(ReadOnlySpan{int})"/> does.
    /// </summary>
    public ReadOnlySpan<float> Encode(scoped ReadOnlySpan<float> vectors)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        InputDescription input = _model.Description.Input;
        int size = _model.Description.LayerInputWidth(0), steps = VectorNormalization.StepsOf(size, _streams, vectors);
        Reserve(steps);
        ReadOnlySpan<float> x = vectors;
        if (input.Mean is not null || input.Std is not null)
        {
            Span<float> normalised = _outputs.AsSpan(0, vectors.Length); // free until layer 0 writes it
            vectors.CopyTo(normalised);
            VectorNormalization.Apply(input, normalised);
            x = normalised;
        }
        for (int i = 0; i < steps * _streams; i++) _xScales[i] = _kernels.Quantize(x.Slice(i * size, size), _xq.AsSpan(i * size, size));
        return Layers(steps);
    }

    /// <summary>y = m · x for one vector, on both threads when a forward model's recurrence has a helper (<see cref="Int8Recurrence.MatVec"/>).</summary>
    public void MatVec(QuantizedMatrix m, sbyte[] x, int[] y) => _recurrence.MatVec(m, x, y);

    /// <summary>The static scale of layer <paramref name="layer"/>'s h, or 0 for each vector's own range.</summary>
    public float HScale(int layer) => _model.StaticHScales?[layer] ?? 0f;

    /// <summary>Every layer over the steps in _xq; the top layer's float outputs end in _outputs.</summary>
    private ReadOnlySpan<float> Layers(int steps)
    {
        ModelDescription d = _model.Description;
        int top = d.Encoder.Length - 1, n = _streams;
        for (int k = 0; k <= top; k++)
        {
            EncoderLayerDescription layer = d.Encoder[k];
            int width = layer.OutputWidth;
            float hScale = HScale(k);
            if (layer.Bidirectional) Bidirectional(k, steps);
            else if (layer.Reverse) RunDirection(_recurrence, k, steps, direction: 0); // nothing to overlap with: this thread (units split if the recurrence has two)
            else if (k < top && n == 1)
            {
                // One stream: the recurrence quantizes h once per step, for its own W_hh and as the next layer's input.
                _recurrence.Run(_model.Layers[k], _xq, _xScales, steps, reverse: false, _state.H[k], _state.C[k], hScale,
                    quantizedOutputs: _nextXq, outputScales: _nextScales);
                (_xq, _nextXq) = (_nextXq, _xq);
                (_xScales, _nextScales) = (_nextScales, _xScales);
                continue;
            }
            else _recurrence.Run(_model.Layers[k], _xq, _xScales, steps, reverse: false, _state.H[k], _state.C[k], hScale, _outputs, width, 0);
            if (k == top) break;
            // The next layer's input: each step's and stream's output quantized as the recurrence quantizes h.
            for (int i = 0; i < steps * n; i++)
                _xScales[i] = Int8Recurrence.QuantizeH(_kernels, _outputs.AsSpan(i * width, width), _xq.AsSpan(i * width, width), hScale);
        }
        return _outputs.AsSpan(0, steps * n * d.EncoderWidth);
    }

    /// <summary>Layer k in both directions, each from zero state, into the two halves of each output row.</summary>
    private void Bidirectional(int k, int steps)
    {
        if (_helper is null)
        {
            RunDirection(_recurrence, k, steps, direction: 0);
            RunDirection(_recurrence, k, steps, direction: 1);
            return;
        }
        _reverseJob = (k, steps);
        _helper.Start();
        try
        {
            RunDirection(_recurrence, k, steps, direction: 0);
        }
        finally
        {
            _helper.Join(); // never return while the helper still writes into _outputs
        }
    }

    /// <summary>The helper's work: the reverse direction of layer _reverseJob.Layer.</summary>
    private void RunReverse() => RunDirection(_reverseRecurrence!, _reverseJob.Layer, _reverseJob.Steps, direction: 1);

    /// <summary>
    /// Direction 0 or 1 of layer k from zero state (a reverse walk has no "before") into columns [direction·H, +H) of
    /// each output row; it walks backward if it is a bidirectional layer's second direction or a reverse layer's only one.
    /// </summary>
    private void RunDirection(Int8Recurrence recurrence, int k, int steps, int direction)
    {
        EncoderLayerDescription layer = _model.Description.Encoder[k];
        LstmState state = direction == 1 ? _reverseState : _state;
        Array.Clear(state.H[k]);
        Array.Clear(state.C[k]);
        recurrence.Run(direction == 1 ? _model.ReverseLayers[k]! : _model.Layers[k], _xq, _xScales, steps, layer.ReadsBackward(direction), state.H[k], state.C[k], HScale(k),
            _outputs, layer.OutputWidth, direction * layer.Hidden);
    }

    private void Reserve(int steps)
    {
        if (_capacity >= steps) return;
        int capacity = (int)Math.Min(int.MaxValue / 2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps));
        int vectors = capacity * _streams;
        _xq = new sbyte[vectors * _widest];
        _nextXq = new sbyte[vectors * _widest];
        _xScales = new float[vectors];
        _nextScales = new float[vectors];
        _outputs = new float[vectors * _widest];
        _capacity = capacity;
    }
}
