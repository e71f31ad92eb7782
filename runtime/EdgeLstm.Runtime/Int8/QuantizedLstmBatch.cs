using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// N independent streams stepped together: each layer is one <see cref="Int8Recurrence"/> step of N streams, so
/// every matrix product is matrix × N vectors and each weight row is read once per step for all streams
/// (throughput); the results are bit-identical to N separate <see cref="QuantizedLstmSession"/>s. No allocation
/// per step. Holds the model's file until disposed.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedLstmBatch : IDisposable
{
    private readonly QuantizedLstmModel _model;
    private readonly ILstmKernels _kernels;
    private readonly int _count;
    private readonly Int8Recurrence _recurrence;
    private readonly LstmState _state;      // per layer: count × H
    private readonly sbyte[] _xq;           // count × widest
    private readonly float[] _xScale;
    private readonly int[] _headAcc;        // count × V
    private readonly float[] _logits;       // count × V
    private int _disposed;

    public QuantizedLstmBatch(QuantizedLstmModel model, ILstmKernels kernels, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a batch needs at least one stream");
        if (!model.HasEmbedding) throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage + "; a batch steps token streams");
        if (!model.Description.IsSteppable) throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps");
        _model = model;
        _kernels = kernels;
        _count = count;
        int widest = model.EmbeddingDim, hidden = 0;
        foreach (QuantizedLstmLayer layer in model.Layers)
        {
            widest = Math.Max(widest, layer.HiddenSize);
            hidden = Math.Max(hidden, layer.HiddenSize);
        }
        _state = new LstmState(Array.ConvertAll(model.Layers, l => count * l.HiddenSize));
        _recurrence = new Int8Recurrence(kernels, hidden, streams: count);
        _xq = new sbyte[count * widest];
        _xScale = new float[count];
        _headAcc = new int[count * model.VocabularySize];
        _logits = new float[count * model.VocabularySize];
        model.File.Retain();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _model.File.Release();
    }

    public int Count => _count;

    /// <summary>Logits of stream <paramref name="stream"/> after the last step.</summary>
    public ReadOnlySpan<float> Logits(int stream) => _logits.AsSpan(stream * _model.VocabularySize, _model.VocabularySize);

    public void Reset() => _state.Clear();

    /// <summary>Feeds token <c>tokens[i]</c> to stream i, for every stream.</summary>
    public void Step(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != _count) throw new ArgumentException($"expected {_count} tokens, one per stream", nameof(tokens));
        int e = _model.EmbeddingDim, vocab = _model.VocabularySize;
        for (int b = 0; b < _count; b++)
        {
            if ((uint)tokens[b] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), tokens[b], $"token id must be below {vocab}");
            _model.Embedding.Dense.Slice(tokens[b] * e, e).CopyTo(_xq.AsSpan(b * e, e));
            _xScale[b] = _model.Embedding.Scales[tokens[b]];
        }
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            if (k > 0)
            {
                // Each stream's h of the layer below, quantized as a session quantizes it: this layer's input.
                int below = _model.Layers[k - 1].HiddenSize;
                for (int b = 0; b < _count; b++)
                    _xScale[b] = _model.QuantizeH(_kernels, k - 1, _state.H[k - 1].AsSpan(b * below, below), _xq.AsSpan(b * below, below));
            }
            _recurrence.Run(_model.Layers[k], _xq, _xScale, 1, reverse: false, _state.H[k], _state.C[k], _model.StaticHScales?[k] ?? 0f);
        }
        int top = _model.Layers[^1].HiddenSize;
        for (int b = 0; b < _count; b++)
            _xScale[b] = _model.QuantizeH(_kernels, _model.Layers.Length - 1, _state.H[^1].AsSpan(b * top, top), _xq.AsSpan(b * top, top));
        _model.Head.MatMul(_kernels, _xq.AsSpan(0, _count * top), _count, _headAcc);
        for (int b = 0; b < _count; b++)
            _kernels.Logits(_headAcc.AsSpan(b * vocab, vocab), _model.Head.Scales, _xScale[b], _model.HeadBias, _logits.AsSpan(b * vocab, vocab));
    }
}
