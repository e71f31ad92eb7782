namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Runs whole sequences through a <see cref="QuantizedLstmModel"/> of any description: the
/// <see cref="Int8Encoder"/> from zero state, then <see cref="SequencePooling"/> in float and the int8 output layer,
/// or the output layer at every step. Buffers grow to the longest sequence seen; then nothing is allocated. With
/// two threads the encoder puts a second core to work (see <see cref="Int8Encoder"/>); the outputs are the same bits.
/// Holds the model's file (and the helper thread) until disposed.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedSequenceRunner : ISequenceRunner
{
    private readonly QuantizedLstmModel _model;
    private readonly Int8Encoder _encoder;
    private readonly Int8OutputLayer _head;
    private readonly float[] _pooled;
    private float[] _scores = [];

    internal QuantizedSequenceRunner(QuantizedLstmModel model, ILstmKernels kernels, int threads = 1)
    {
        _model = model;
        _encoder = new Int8Encoder(model, kernels, streams: 1, threads, steps: 16);
        _head = new Int8OutputLayer(model, kernels);
        _pooled = new float[model.Description.EncoderWidth];
    }

    public ModelDescription Description => _model.Description;
    public string KernelName => _encoder.Kernels.Name;
    /// <summary>2 when a second core takes part (see <see cref="Int8Encoder.Threads"/>).</summary>
    public int Threads => _encoder.Threads;

    public void Dispose() => _encoder.Dispose();

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens) => Head(FromZero().Encode(tokens), tokens.Length);

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes) => Head(FromZero().Encode(tokens, affixes), tokens.Length);

    public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs)
    {
        int steps = VectorNormalization.StepsOf(_model.Description.Input, inputs);
        return Head(FromZero().Encode(inputs), steps);
    }

    /// <summary>The encoder with its state cleared: every run starts from zero, as training did.</summary>
    private Int8Encoder FromZero()
    {
        _encoder.Reset();
        return _encoder;
    }

    private ReadOnlySpan<float> Head(ReadOnlySpan<float> encoded, int steps)
    {
        ModelDescription d = _model.Description;
        if (d.Kind == ModelTask.Transducer) throw new NotSupportedException("a sequence-to-sequence model's output is a sequence: run it with CreateTransducer");
        if (d.Head.Pooling == Poolings.None) return _head.Apply(encoded, steps, _encoder.HScale(d.Encoder.Length - 1));
        if (_scores.Length < steps) _scores = new float[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps)];
        SequencePooling.Pool(d.Head.Pooling, encoded, steps, d.EncoderWidth, d.Encoder[^1].ForwardWidth, _pooled, _model.PoolWeight, _model.PoolBias?[0] ?? 0f, _scores);
        return _head.Apply(_pooled, 1, 0f);
    }
}
