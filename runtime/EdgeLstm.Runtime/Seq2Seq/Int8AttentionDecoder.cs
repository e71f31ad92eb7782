using EdgeLstm.Runtime.Int8;

namespace EdgeLstm.Runtime;

/// <summary>
/// The int8 attention decoder (<see cref="DecoderDescription"/>): the encoder through <see cref="Int8Encoder"/>,
/// the decoder LSTM of all hypotheses as streams of <see cref="Int8Recurrence"/>, and every product — the keys
/// W_a·E_t, the scores K_t·h (keys quantized per step), the bridge, W_c·[context; h] and the output layer — an exact
/// int8 product through the kernels, each input quantized by its own range. The float steps between them (softmax,
/// context, tanh) are scalar, in a fixed order, with <see cref="DeterministicMath"/>: the logits are the same bits
/// on every kernel variant and CPU. Buffers grow to the longest input seen; a step allocates nothing once each
/// stream count has been used.
/// </summary>
[SkipLocalsInit]
public sealed class Int8AttentionDecoder : IAttentionDecoder
{
    private readonly QuantizedLstmModel _model;
    private readonly QuantizedDecoder _weights;
    private readonly ILstmKernels _kernels;
    private readonly Int8Encoder _encoder;
    private readonly Int8Recurrence?[] _recurrences; // by stream count − 1, made on first use
    private readonly int _hidden, _width, _embedding;
    private readonly float[] _h, _c, _hOld, _cOld, _xScales, _joined, _mixed, _bridgeInput, _zeros, _streamScales;
    private readonly sbyte[] _xq, _q, _joinedQ, _mixedQ;
    private readonly int[] _acc, _streamAcc;
    private float[] _outputs = [], _keys = [], _keyScales = [], _scores = [], _keyZeros = [];
    private sbyte[] _keysQ = [];
    private int[] _keyRowSums = [], _scoreAcc = [];
    private int _steps;

    /// <param name="threads">1, or 2 to run the encoder's bidirectional layers' directions on two cores.</param>
    internal Int8AttentionDecoder(QuantizedLstmModel model, ILstmKernels kernels, int maxStreams, int threads = 1)
    {
        _weights = model.Decoder ?? throw new NotSupportedException($"a '{model.Description.Task}' model has no decoder");
        if (maxStreams < 1) throw new ArgumentOutOfRangeException(nameof(maxStreams));
        _model = model;
        _kernels = kernels;
        DecoderDescription d = model.Description.Head.Decoder!;
        _hidden = d.Hidden;
        _embedding = d.Embedding;
        _width = model.Description.EncoderWidth;
        MaxStreams = maxStreams;
        Vocabulary = model.Description.Head.Size;
        _encoder = new Int8Encoder(model, kernels, streams: 1, threads, steps: 16);
        _recurrences = new Int8Recurrence?[maxStreams];
        _h = new float[maxStreams * _hidden];
        _c = new float[maxStreams * _hidden];
        _hOld = new float[maxStreams * _hidden];
        _cOld = new float[maxStreams * _hidden];
        _xq = new sbyte[maxStreams * _embedding];
        _xScales = new float[maxStreams];
        _joined = new float[maxStreams * (_width + _hidden)];
        _mixed = new float[maxStreams * _hidden];
        _joinedQ = new sbyte[maxStreams * (_width + _hidden)];
        _mixedQ = new sbyte[maxStreams * _hidden];
        _streamScales = new float[maxStreams];
        _streamAcc = new int[maxStreams * Math.Max(_hidden, Vocabulary)];
        _bridgeInput = new float[_width];
        int widest = Math.Max(Math.Max(_width + _hidden, Vocabulary), _hidden);
        _q = new sbyte[widest];
        _acc = new int[widest];
        _zeros = new float[widest];
    }

    public int MaxStreams { get; }
    public int Vocabulary { get; }

    public void Begin(ReadOnlySpan<int> tokens)
    {
        _encoder.Reset();
        ReadOnlySpan<float> encoded = _encoder.Encode(tokens);
        int steps = tokens.Length, hidden = _hidden, width = _width;
        _steps = steps;
        if (_scores.Length < steps)
        {
            int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps);
            _outputs = new float[capacity * width];
            _keys = new float[capacity * hidden];
            _keysQ = new sbyte[capacity * hidden];
            _keyScales = new float[capacity];
            _keyRowSums = new int[capacity];
            _scores = new float[capacity];
            _scoreAcc = new int[capacity];
            _keyZeros = new float[capacity];
        }
        encoded.CopyTo(_outputs);
        // Keys W_a·E_t, then each key quantized by its own range for the scores K_t·h.
        for (int t = 0; t < steps; t++)
        {
            Span<float> key = _keys.AsSpan(t * hidden, hidden);
            Project(_weights.Attention, _outputs.AsSpan(t * width, width), _zeros.AsSpan(0, hidden), key);
            _keyScales[t] = _kernels.Quantize(key, _keysQ.AsSpan(t * hidden, hidden));
            _keyRowSums[t] = Int8RowSums.Sum(_keysQ.AsSpan(t * hidden, hidden));
        }
        // h₀ = tanh(bridge · each direction's final state: the forward output after the last step, the reverse
        // output after the first — pooling last), c₀ = 0.
        SequencePooling.Pool(Poolings.Last, _outputs, steps, width, _model.Description.Encoder[^1].ForwardWidth, _bridgeInput, default, 0f, default);
        Span<float> h0 = _h.AsSpan(0, hidden);
        Project(_weights.Bridge, _bridgeInput, _weights.BridgeBias, h0);
        for (int j = 0; j < hidden; j++) h0[j] = DeterministicMath.Tanh(h0[j]);
        _c.AsSpan(0, hidden).Clear();
    }

    public void Step(ReadOnlySpan<int> previous, Span<float> logits)
    {
        int n = previous.Length, hidden = _hidden, width = _width, steps = _steps;
        if (n < 1 || n > MaxStreams) throw new ArgumentOutOfRangeException(nameof(previous), n, $"1..{MaxStreams} streams");
        QuantizedMatrix embedding = _weights.Embedding;
        for (int i = 0; i < n; i++)
        {
            int token = previous[i];
            if ((uint)token >= (uint)Vocabulary) throw new ArgumentOutOfRangeException(nameof(previous), token, $"token id must be below {Vocabulary}");
            embedding.Dense.Slice(token * _embedding, _embedding).CopyTo(_xq.AsSpan(i * _embedding));
            _xScales[i] = embedding.Scales[token];
        }
        Int8Recurrence recurrence = _recurrences[n - 1] ??= new Int8Recurrence(_kernels, hidden, streams: n);
        recurrence.Run(_weights.Layer, _xq, _xScales, 1, reverse: false, _h, _c, 0f);
        Span<float> scores = _scores.AsSpan(0, steps);
        int joinedWidth = width + hidden;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> h = _h.AsSpan(i * hidden, hidden);
            // Scores K_t·h (exact int8 products), softmax, context Σ α_t E_t in a fixed order (AttentionContext).
            float hScale = _kernels.Quantize(h, _q.AsSpan(0, hidden));
            _kernels.MatVec(_keysQ.AsSpan(0, steps * hidden), _keyRowSums.AsSpan(0, steps), _q.AsSpan(0, hidden), _scoreAcc.AsSpan(0, steps));
            _kernels.Dequantize(_scoreAcc.AsSpan(0, steps), _keyScales.AsSpan(0, steps), hScale, _keyZeros.AsSpan(0, steps), scores);
            float max = scores[0];
            for (int t = 1; t < steps; t++) max = MathF.Max(max, scores[t]);
            float sum = 0f;
            for (int t = 0; t < steps; t++) sum += scores[t] = DeterministicMath.Exp(scores[t] - max);
            for (int t = 0; t < steps; t++) scores[t] /= sum;
            Span<float> joined = _joined.AsSpan(i * joinedWidth, joinedWidth);
            AttentionContext.Compute(scores, _outputs.AsSpan(0, steps * width), joined[..width]);
            h.CopyTo(joined[width..]);
        }
        // tanh(W_c [context; h]) and the output layer, each one product over all streams (a weight row read once for all).
        Span<float> mixed = _mixed.AsSpan(0, n * hidden);
        ProjectAll(_weights.AttentionOut, _joined, _joinedQ, joinedWidth, n, null, mixed);
        for (int j = 0; j < mixed.Length; j++) mixed[j] = DeterministicMath.Tanh(mixed[j]);
        ProjectAll(_model.Head, _mixed, _mixedQ, hidden, n, _model.HeadBias, logits);
    }

    /// <summary>y_i = bias + W·x_i for n vectors: each quantized by its own range, one exact int8 product for all, scaled per row and vector.</summary>
    private void ProjectAll(QuantizedMatrix w, float[] x, sbyte[] q, int columns, int n, float[]? bias, Span<float> y)
    {
        for (int i = 0; i < n; i++) _streamScales[i] = _kernels.Quantize(x.AsSpan(i * columns, columns), q.AsSpan(i * columns, columns));
        int rows = w.Rows;
        w.MatMul(_kernels, q.AsSpan(0, n * columns), n, _streamAcc.AsSpan(0, n * rows));
        for (int i = 0; i < n; i++)
            _kernels.Dequantize(_streamAcc.AsSpan(i * rows, rows), w.Scales, _streamScales[i], bias ?? _zeros.AsSpan(0, rows), y.Slice(i * rows, rows));
    }

    /// <summary>y = bias + W·x: x quantized by its own range, the exact int8 product, scaled per row.</summary>
    private void Project(QuantizedMatrix w, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        float scale = _kernels.Quantize(x, _q.AsSpan(0, x.Length));
        w.MatVec(_kernels, _q.AsSpan(0, x.Length), _acc.AsSpan(0, w.Rows));
        _kernels.Dequantize(_acc.AsSpan(0, w.Rows), w.Scales, scale, bias, y);
    }

    public void Reorder(ReadOnlySpan<int> parents)
    {
        int hidden = _hidden;
        _h.AsSpan().CopyTo(_hOld);
        _c.AsSpan().CopyTo(_cOld);
        for (int i = 0; i < parents.Length; i++)
        {
            _hOld.AsSpan(parents[i] * hidden, hidden).CopyTo(_h.AsSpan(i * hidden));
            _cOld.AsSpan(parents[i] * hidden, hidden).CopyTo(_c.AsSpan(i * hidden));
        }
    }

    public void Dispose()
    {
        foreach (var r in _recurrences) r?.Dispose();
        _encoder.Dispose();
    }
}
