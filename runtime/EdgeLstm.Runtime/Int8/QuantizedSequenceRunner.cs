using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Runs whole sequences through a <see cref="QuantizedLstmModel"/> of any description: each layer over all steps
/// with <see cref="Int8Recurrence"/> (a bidirectional layer twice, into the two halves of its output), each
/// layer's input quantized step by step by its own range (layer 0's is the int8 embedding row itself), then
/// <see cref="SequencePooling"/> in float and the int8 output layer, or the output layer at every step. Each
/// sequence starts from zero state. Buffers grow to the longest sequence seen; then nothing is allocated.
/// With two threads, a bidirectional layer's reverse direction runs on a helper core while this thread runs the
/// forward one: the two share only their inputs (read) and write disjoint halves of each output row, and each
/// direction computes exactly what it computes alone, so the outputs are the same bits. Holds the model's file
/// (and the helper thread) until disposed.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedSequenceRunner : ISequenceRunner
{
    private readonly QuantizedLstmModel _model;
    private readonly ILstmKernels _kernels;
    private readonly Int8Recurrence _recurrence;
    // Two threads: the reverse direction's own recurrence, state and helper. What the helper runs next is in
    // _reverseJob, written by this thread before StepHelperThread.Start and read by the helper after it; Start and
    // Join are full fences, so the helper sees the whole job and this thread sees all the helper wrote.
    private readonly Int8Recurrence? _reverseRecurrence;
    private readonly StepHelperThread? _helper;
    private readonly float[] _hReverse = [], _cReverse = [];
    private (int Layer, int Steps) _reverseJob;
    private readonly float[] _h, _c, _pooled;
    private readonly sbyte[] _headInput;
    private readonly int[] _headAcc;
    private readonly int _widest;
    private float[] _x = [], _y = [], _xScales = [], _scores = [], _outputs = [];
    private sbyte[] _xq = [];
    private int _disposed;

    internal QuantizedSequenceRunner(QuantizedLstmModel model, ILstmKernels kernels, int threads = 1)
    {
        if (threads is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 1 or 2");
        _model = model;
        _kernels = kernels;
        ModelDescription d = model.Description;
        int hidden = 0, widest = d.Input.Size;
        foreach (EncoderLayerDescription layer in d.Encoder)
        {
            hidden = Math.Max(hidden, layer.Hidden);
            widest = Math.Max(widest, layer.OutputWidth);
        }
        _widest = widest;
        _h = new float[hidden];
        _c = new float[hidden];
        _pooled = new float[d.EncoderWidth];
        _headInput = new sbyte[d.EncoderWidth];
        _headAcc = new int[d.Head.Size];
        _recurrence = new Int8Recurrence(kernels, hidden);
        if (threads == 2 && d.IsBidirectional)
        {
            _reverseRecurrence = new Int8Recurrence(kernels, hidden);
            _hReverse = new float[hidden];
            _cReverse = new float[hidden];
            _helper = new StepHelperThread(RunReverse);
        }
        model.File.Retain(); // throws if the model was disposed; released in Dispose
    }

    public ModelDescription Description => _model.Description;
    public string KernelName => _kernels.Name;
    /// <summary>2 when bidirectional layers run their directions on two cores.</summary>
    public int Threads => _helper is null ? 1 : 2;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _recurrence.Dispose();
        _helper?.Dispose();
        _reverseRecurrence?.Dispose();
        _model.File.Release();
    }

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens)
    {
        Embed(tokens);
        return EncodeAndHead(tokens.Length);
    }

    /// <summary>The encoder's outputs for <paramref name="tokens"/>: steps × EncoderWidth floats (step-major), valid until the next call.</summary>
    internal ReadOnlySpan<float> Encode(ReadOnlySpan<int> tokens)
    {
        Embed(tokens);
        EncodeLayers(tokens.Length);
        return _x.AsSpan(0, tokens.Length * _model.Description.EncoderWidth);
    }

    /// <summary>The tokens' int8 embedding rows and their scales, as layer 0's quantized inputs.</summary>
    private void Embed(ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!_model.HasEmbedding) throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage + "; run it with RunVectors");
        if (tokens.IsEmpty) throw new ArgumentException("a sequence needs at least one token", nameof(tokens));
        int e = _model.EmbeddingDim, vocab = _model.Embedding.Rows;
        Reserve(tokens.Length);
        ReadOnlySpan<sbyte> embedding = _model.Embedding.Dense;
        for (int t = 0; t < tokens.Length; t++)
        {
            if ((uint)tokens[t] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), tokens[t], $"token id must be below {vocab}");
            embedding.Slice(tokens[t] * e, e).CopyTo(_xq.AsSpan(t * e, e));
            _xScales[t] = _model.Embedding.Scales[tokens[t]];
        }
    }

    public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        InputDescription input = _model.Description.Input;
        int size = input.Size, steps = VectorNormalization.StepsOf(input, inputs);
        Reserve(steps);
        Span<float> x = _x.AsSpan(0, inputs.Length);
        inputs.CopyTo(x);
        VectorNormalization.Apply(input, x);
        for (int t = 0; t < steps; t++) _xScales[t] = _kernels.Quantize(x.Slice(t * size, size), _xq.AsSpan(t * size, size));
        return EncodeAndHead(steps);
    }

    private void Reserve(int steps)
    {
        if (_scores.Length >= steps) return;
        int capacity = (int)Math.Min(int.MaxValue / 2, Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps)));
        _x = new float[capacity * _widest];
        _y = new float[capacity * _widest];
        _xq = new sbyte[capacity * _widest];
        _xScales = new float[capacity];
        _scores = new float[capacity];
        _outputs = new float[(_model.Description.Head.Pooling == Poolings.None ? capacity : 1) * _model.Description.Head.Size];
    }

    /// <summary>h of layer <paramref name="layer"/> quantized as the model says: its static scale, or 0 for each step's own range.</summary>
    private float StaticScale(int layer) => _model.StaticHScales?[layer] ?? 0f;

    private ReadOnlySpan<float> EncodeAndHead(int steps)
    {
        ModelDescription d = _model.Description;
        if (d.Head.Decoder is not null) throw new NotSupportedException("a sequence-to-sequence model's output is a sequence: run it with CreateTransducer");
        EncodeLayers(steps);
        int top = d.EncoderWidth, size = d.Head.Size;
        if (d.Head.Pooling == Poolings.None)
        {
            for (int t = 0; t < steps; t++) HeadOf(Quantize(d.Encoder.Length - 1, _x.AsSpan(t * top, top), _headInput), _outputs.AsSpan(t * size, size));
            return _outputs.AsSpan(0, steps * size);
        }
        SequencePooling.Pool(d.Head.Pooling, _x, steps, top, d.Encoder[^1].Hidden, _pooled, _model.PoolWeight, _model.PoolBias?[0] ?? 0f, _scores);
        HeadOf(_kernels.Quantize(_pooled, _headInput), _outputs.AsSpan(0, size));
        return _outputs.AsSpan(0, size);
    }

    /// <summary>Every encoder layer over the steps (a bidirectional one in both directions); the top layer's float outputs end in _x.</summary>
    private void EncodeLayers(int steps)
    {
        ModelDescription d = _model.Description;
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            if (k > 0)
            {
                // The layer below's outputs, quantized per step as a stepped session quantizes them.
                int below = d.Encoder[k - 1].OutputWidth;
                for (int t = 0; t < steps; t++) _xScales[t] = Quantize(k - 1, _x.AsSpan(t * below, below), _xq.AsSpan(t * below, below));
            }
            int hidden = d.Encoder[k].Hidden, width = d.Encoder[k].OutputWidth;
            if (_helper is not null && d.Encoder[k].Bidirectional)
            {
                _reverseJob = (k, steps);
                _helper.Start();
                try
                {
                    Array.Clear(_h);
                    Array.Clear(_c);
                    _recurrence.Run(_model.Layers[k], _xq, _xScales, steps, reverse: false, _h, _c, StaticScale(k), _y, width, 0);
                }
                finally
                {
                    _helper.Join(); // never return while the helper still writes into _y
                }
                (_x, _y) = (_y, _x);
                continue;
            }
            for (int direction = 0; direction < d.Encoder[k].Directions; direction++)
            {
                QuantizedLstmLayer layer = direction == 0 ? _model.Layers[k] : _model.ReverseLayers[k]!;
                Array.Clear(_h);
                Array.Clear(_c);
                _recurrence.Run(layer, _xq, _xScales, steps, reverse: direction == 1, _h, _c, StaticScale(k), _y, width, direction * hidden);
            }
            (_x, _y) = (_y, _x);
        }
    }

    /// <summary>The helper's work: the reverse direction of layer _reverseJob.Layer into the upper half of each output row.</summary>
    private void RunReverse()
    {
        var (k, steps) = _reverseJob;
        EncoderLayerDescription layer = _model.Description.Encoder[k];
        Array.Clear(_hReverse);
        Array.Clear(_cReverse);
        _reverseRecurrence!.Run(_model.ReverseLayers[k]!, _xq, _xScales, steps, reverse: true, _hReverse, _cReverse, StaticScale(k), _y,
            layer.OutputWidth, layer.Hidden);
    }

    private float Quantize(int layer, ReadOnlySpan<float> h, Span<sbyte> q)
    {
        float scale = StaticScale(layer);
        if (scale == 0) return _kernels.Quantize(h, q);
        _kernels.QuantizeWithScale(h, q, scale);
        return scale;
    }

    private void HeadOf(float inputScale, Span<float> outputs)
    {
        _model.Head.MatVec(_kernels, _headInput, _headAcc);
        _kernels.Logits(_headAcc, _model.Head.Scales, inputScale, _model.HeadBias, outputs);
    }
}
