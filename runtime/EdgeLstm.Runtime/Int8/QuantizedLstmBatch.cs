using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// N independent streams stepped together: every matrix product is matrix × N vectors, so each weight row
/// is read once per step for all streams (throughput), and the results are bit-identical to N separate
/// <see cref="QuantizedLstmSession"/>s. No allocation per step. Holds the model's file until disposed.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedLstmBatch : IDisposable
{
    private readonly QuantizedLstmModel _model;
    private readonly ILstmKernels _kernels;
    private readonly int _count;
    private readonly float[][] _h, _c;      // per layer: count × H
    private readonly sbyte[] _xq, _hq;      // count × widest
    private readonly float[] _xScale, _hScale;
    private readonly int[] _accIh, _accHh;  // count × rows
    private readonly float[] _logits;       // count × V

    public QuantizedLstmBatch(QuantizedLstmModel model, ILstmKernels kernels, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a batch needs at least one stream");
        if (!model.HasEmbedding) throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage + "; a batch steps token streams");
        if (!model.Description.IsSteppable) throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps");
        _model = model;
        _kernels = kernels;
        _count = count;
        int widest = model.EmbeddingDim, rows = model.VocabularySize;
        _h = new float[model.Layers.Length][];
        _c = new float[model.Layers.Length][];
        for (int k = 0; k < model.Layers.Length; k++)
        {
            int hidden = model.Layers[k].HiddenSize;
            _h[k] = new float[count * hidden];
            _c[k] = new float[count * hidden];
            widest = Math.Max(widest, hidden);
            rows = Math.Max(rows, 4 * hidden);
        }
        _xq = new sbyte[count * widest];
        _hq = new sbyte[count * widest];
        _xScale = new float[count];
        _hScale = new float[count];
        _accIh = new int[count * rows];
        _accHh = new int[count * rows];
        _logits = new float[count * model.VocabularySize];
        model.File.Retain();
    }

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _model.File.Release();
    }

    public int Count => _count;

    /// <summary>Logits of stream <paramref name="stream"/> after the last step.</summary>
    public ReadOnlySpan<float> Logits(int stream) => _logits.AsSpan(stream * _model.VocabularySize, _model.VocabularySize);

    public void Reset()
    {
        foreach (var h in _h) Array.Clear(h);
        foreach (var c in _c) Array.Clear(c);
    }

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
        int inputSize = e;
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            QuantizedLstmLayer layer = _model.Layers[k];
            int hidden = layer.HiddenSize, rows = 4 * hidden;
            if (k > 0)
                for (int b = 0; b < _count; b++)
                    _xScale[b] = _model.QuantizeH(_kernels, k - 1, _h[k - 1].AsSpan(b * inputSize, inputSize), _xq.AsSpan(b * inputSize, inputSize));
            for (int b = 0; b < _count; b++)
                _hScale[b] = _model.QuantizeH(_kernels, k, _h[k].AsSpan(b * hidden, hidden), _hq.AsSpan(b * hidden, hidden));
            Product(layer.WeightIh, _xq, inputSize, _accIh.AsSpan(0, _count * rows));
            Product(layer.WeightHh, _hq, hidden, _accHh.AsSpan(0, _count * rows));
            for (int b = 0; b < _count; b++)
                _kernels.GateUpdate(_accIh.AsSpan(b * rows, rows), _accHh.AsSpan(b * rows, rows), layer.WeightIh.Scales, layer.WeightHh.Scales,
                    layer.Bias, _xScale[b], _hScale[b], _c[k].AsSpan(b * hidden, hidden), _h[k].AsSpan(b * hidden, hidden));
            inputSize = hidden;
        }
        for (int b = 0; b < _count; b++)
            _hScale[b] = _model.QuantizeH(_kernels, _h.Length - 1, _h[^1].AsSpan(b * inputSize, inputSize), _hq.AsSpan(b * inputSize, inputSize));
        Product(_model.Head, _hq, inputSize, _accIh.AsSpan(0, _count * vocab));
        for (int b = 0; b < _count; b++)
            _kernels.Logits(_accIh.AsSpan(b * vocab, vocab), _model.Head.Scales, _hScale[b], _model.HeadBias, _logits.AsSpan(b * vocab, vocab));
    }

    private void Product(Int8Matrix w, sbyte[] inputs, int cols, Span<int> outputs) => w.MatMul(_kernels, inputs.AsSpan(0, _count * cols), _count, outputs);
}
