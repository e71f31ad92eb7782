namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// An int8 model's output layer over float vectors (the top layer's h at each step or stream, or a pooled
/// vector): each vector quantized (<see cref="Int8Recurrence.QuantizeH"/>), one exact product with the head matrix
/// for all of them, then dequantized and biased. Buffers grow to the most vectors seen; then nothing is allocated.
/// </summary>
[SkipLocalsInit]
internal sealed class Int8OutputLayer
{
    private readonly QuantizedLstmModel _model;
    private readonly ILstmKernels _kernels;
    private readonly Int8Encoder? _encoder; // a session's: one vector's product through its threads
    private sbyte[] _q = [];
    private float[] _scales = [], _outputs = [];
    private int[] _acc = [];

    /// <param name="encoder">When given, one vector's product goes through <see cref="Int8Encoder.MatVec"/> (on two threads if it has them).</param>
    public Int8OutputLayer(QuantizedLstmModel model, ILstmKernels kernels, int vectors = 1, Int8Encoder? encoder = null)
    {
        _model = model;
        _kernels = kernels;
        _encoder = encoder;
        Reserve(vectors);
    }

    /// <summary>
    /// The output layer on <paramref name="count"/> vectors of the head's input width, each quantized by
    /// <paramref name="staticScale"/> (or its own range when 0). Returns count × output size values, valid until the next call.
    /// </summary>
    public Span<float> Apply(scoped ReadOnlySpan<float> inputs, int count, float staticScale)
    {
        QuantizedMatrix head = _model.Head;
        int width = head.Columns, size = head.Rows;
        Reserve(count);
        for (int b = 0; b < count; b++)
            _scales[b] = Int8Recurrence.QuantizeH(_kernels, inputs.Slice(b * width, width), _q.AsSpan(b * width, width), staticScale);
        if (count == 1 && _encoder is not null) _encoder.MatVec(head, _q, _acc);
        else head.MatMul(_kernels, _q.AsSpan(0, count * width), count, _acc.AsSpan(0, count * size));
        for (int b = 0; b < count; b++)
            _kernels.Dequantize(_acc.AsSpan(b * size, size), head.Scales, _scales[b], _model.HeadBias, _outputs.AsSpan(b * size, size));
        return _outputs.AsSpan(0, count * size);
    }

    /// <summary>The values of the last <see cref="Apply"/> (zeros before the first), for <paramref name="count"/> vectors.</summary>
    public ReadOnlySpan<float> Outputs(int count) => _outputs.AsSpan(0, count * _model.Head.Rows);

    private void Reserve(int count)
    {
        if (_scales.Length >= count) return;
        int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count);
        _q = new sbyte[capacity * _model.Head.Columns];
        _scales = new float[capacity];
        _acc = new int[capacity * _model.Head.Rows];
        _outputs = new float[capacity * _model.Head.Rows];
    }
}
