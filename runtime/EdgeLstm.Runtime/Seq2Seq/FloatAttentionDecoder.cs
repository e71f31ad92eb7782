using System.Numerics.Tensors;
using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Runtime;

/// <summary>
/// The float attention decoder (<see cref="DecoderDescription"/>): the encoder through <see cref="FloatEncoder"/>,
/// the decoder LSTM of all hypotheses as streams of <see cref="FloatRecurrence"/>, and per stream the general
/// attention, the tanh mix and the output layer through <see cref="FloatMatVec"/>. Buffers grow to the longest
/// input seen; a step allocates nothing.
/// </summary>
[SkipLocalsInit]
public sealed class FloatAttentionDecoder : IAttentionDecoder
{
    private readonly FloatLstmModel _model;
    private readonly FloatEncoder _encoder;
    private readonly FloatLstmLayer _lstm;
    private readonly PackedFloatMatrix _bridgeWeight, _attention, _attentionOut;
    private readonly float[] _bridgeBias, _embedding;
    private readonly int _hidden, _embeddingSize, _width;
    private readonly float[] _h, _c, _hOld, _cOld, _x, _scratch, _joined, _mixed, _bridgeInput;
    private float[] _keys = [], _weights = [], _outputs = [];
    private int _steps;

    internal FloatAttentionDecoder(FloatLstmModel model, int maxStreams)
    {
        DecoderDescription d = model.Description.Head.Decoder ?? throw new NotSupportedException($"a '{model.Description.Task}' model has no decoder");
        if (maxStreams < 1) throw new ArgumentOutOfRangeException(nameof(maxStreams));
        _model = model;
        _encoder = new FloatEncoder(model, steps: 16);
        _lstm = model.DecoderLayer!;
        _hidden = d.Hidden;
        _embeddingSize = d.Embedding;
        _width = model.Description.EncoderWidth;
        _bridgeWeight = new PackedFloatMatrix(model.Tensor(ModelTensors.BridgeWeight), _hidden, _width);
        _bridgeBias = model.Tensor(ModelTensors.BridgeBias);
        _embedding = model.Tensor(ModelTensors.DecoderEmbedding);
        _attention = new PackedFloatMatrix(model.Tensor(ModelTensors.AttentionWeight), _hidden, _width);
        _attentionOut = new PackedFloatMatrix(model.Tensor(ModelTensors.AttentionOutWeight), _hidden, _width + _hidden);
        MaxStreams = maxStreams;
        Vocabulary = model.Description.Head.Size;
        _h = new float[maxStreams * _hidden];
        _c = new float[maxStreams * _hidden];
        _hOld = new float[maxStreams * _hidden];
        _cOld = new float[maxStreams * _hidden];
        _x = new float[maxStreams * _embeddingSize];
        _scratch = new float[FloatRecurrence.ScratchLength(_hidden, maxStreams, 1)];
        _joined = new float[maxStreams * (_width + _hidden)];
        _mixed = new float[maxStreams * _hidden];
        _bridgeInput = new float[_width];
    }

    public int MaxStreams { get; }
    public int Vocabulary { get; }

    public void Begin(ReadOnlySpan<int> tokens)
    {
        _encoder.Reset();
        ReadOnlySpan<float> encoded = _encoder.Encode(tokens);
        _steps = tokens.Length;
        if (_outputs.Length < encoded.Length)
        {
            int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_steps);
            _outputs = new float[capacity * _width];
            _keys = new float[capacity * _hidden];
            _weights = new float[capacity];
        }
        encoded.CopyTo(_outputs);
        // Keys W_a·E_t of every step, once per input.
        Span<float> keys = _keys.AsSpan(0, _steps * _hidden);
        keys.Clear();
        FloatMatVec.MultiplyAdd(_attention, _outputs.AsSpan(0, _steps * _width), _steps, keys);
        // h₀ = tanh(bridge · each direction's final state: the forward output after the last step, the reverse
        // output after the first — pooling last), c₀ = 0.
        SequencePooling.Pool(Poolings.Last, _outputs, _steps, _width, _model.Description.Encoder[^1].ForwardWidth, _bridgeInput, default, 0f, default);
        Span<float> h0 = _h.AsSpan(0, _hidden);
        _bridgeBias.CopyTo(h0);
        FloatMatVec.MultiplyAdd(_bridgeWeight, _bridgeInput, h0);
        TensorPrimitives.Tanh(h0, h0);
        _c.AsSpan(0, _hidden).Clear();
    }

    public void Step(ReadOnlySpan<int> previous, Span<float> logits)
    {
        int n = previous.Length, hidden = _hidden, width = _width;
        for (int i = 0; i < n; i++)
        {
            if ((uint)previous[i] >= (uint)Vocabulary) throw new ArgumentOutOfRangeException(nameof(previous), previous[i], $"token id must be below {Vocabulary}");
            _embedding.AsSpan(previous[i] * _embeddingSize, _embeddingSize).CopyTo(_x.AsSpan(i * _embeddingSize));
        }
        FloatRecurrence.Run(_lstm, _x.AsSpan(0, n * _embeddingSize), 1, n, reverse: false, _h.AsSpan(0, n * hidden), _c.AsSpan(0, n * hidden), [], 0, 0, _scratch);
        Span<float> weights = _weights.AsSpan(0, _steps);
        int joinedWidth = width + hidden;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> h = _h.AsSpan(i * hidden, hidden);
            // Scores K_t·h, softmax over the input steps, context Σ α_t E_t.
            for (int t = 0; t < _steps; t++) weights[t] = TensorPrimitives.Dot(_keys.AsSpan(t * hidden, hidden), h);
            StableSoftmax.Compute(weights, weights); // a trained model's sharp attention gives scores whose exp overflows
            Span<float> joined = _joined.AsSpan(i * joinedWidth, joinedWidth);
            AttentionContext.Compute(weights, _outputs.AsSpan(0, _steps * width), joined[..width]);
            h.CopyTo(joined[width..]);
        }
        // tanh(W_c [context; h]) and the output layer, each one product over all streams.
        Span<float> mixed = _mixed.AsSpan(0, n * hidden);
        mixed.Clear();
        FloatMatVec.MultiplyAdd(_attentionOut, _joined.AsSpan(0, n * joinedWidth), n, mixed);
        TensorPrimitives.Tanh(mixed, mixed);
        for (int i = 0; i < n; i++) _model.HeadBias.CopyTo(logits.Slice(i * Vocabulary, Vocabulary));
        FloatMatVec.MultiplyAdd(_model.PackedHead, mixed, n, logits[..(n * Vocabulary)]);
    }

    public void Reorder(ReadOnlySpan<int> parents)
    {
        int hidden = _hidden, n = parents.Length;
        _h.AsSpan(0, MaxStreams * hidden).CopyTo(_hOld);
        _c.AsSpan(0, MaxStreams * hidden).CopyTo(_cOld);
        for (int i = 0; i < n; i++)
        {
            _hOld.AsSpan(parents[i] * hidden, hidden).CopyTo(_h.AsSpan(i * hidden));
            _cOld.AsSpan(parents[i] * hidden, hidden).CopyTo(_c.AsSpan(i * hidden));
        }
    }

    /// <summary>Nothing to release: the float weights are managed arrays.</summary>
    public void Dispose()
    {
    }
}
