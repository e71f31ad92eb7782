namespace EdgeLstm.Runtime.Float;

/// <summary>
/// Runs whole sequences through a <see cref="FloatLstmModel"/> of any description: the <see cref="FloatEncoder"/>
/// from zero state, then <see cref="SequencePooling"/> and the output layer, or the output layer at every step.
/// Buffers grow to the longest sequence seen; after that nothing is allocated.
/// </summary>
[SkipLocalsInit]
public sealed class FloatSequenceRunner : ISequenceRunner
{
    private readonly FloatLstmModel _model;
    private readonly FloatEncoder _encoder;
    private readonly float[] _pooled;
    private float[] _scores = [], _outputs = [];

    internal FloatSequenceRunner(FloatLstmModel model)
    {
        _model = model;
        _encoder = new FloatEncoder(model, steps: 16);
        _pooled = new float[model.Description.EncoderWidth];
    }

    public ModelDescription Description => _model.Description;

    /// <summary>Nothing to release: the float weights are managed arrays.</summary>
    public void Dispose()
    {
    }

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens) => Head(FromZero().Encode(tokens), tokens.Length);

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes) => Head(FromZero().Encode(tokens, affixes), tokens.Length);

    public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs)
    {
        int steps = VectorNormalization.StepsOf(_model.Description.Input, inputs);
        return Head(FromZero().Encode(inputs), steps);
    }

    /// <summary>The encoder with its state cleared: every run starts from zero, as training did.</summary>
    private FloatEncoder FromZero()
    {
        _encoder.Reset();
        return _encoder;
    }

    private ReadOnlySpan<float> Head(ReadOnlySpan<float> encoded, int steps)
    {
        ModelDescription d = _model.Description;
        if (d.Kind == ModelTask.Transducer) throw new NotSupportedException("a sequence-to-sequence model's output is a sequence: run it with CreateTransducer");
        int count = d.Head.Pooling == Poolings.None ? steps : 1;
        if (_scores.Length < steps)
        {
            int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps);
            _scores = new float[capacity];
            _outputs = new float[(d.Head.Pooling == Poolings.None ? capacity : 1) * d.Head.Size];
        }
        Span<float> outputs = _outputs.AsSpan(0, count * d.Head.Size);
        if (d.Head.Pooling == Poolings.None)
        {
            FloatOutputLayer.Apply(_model, encoded, steps, outputs);
            return outputs;
        }
        SequencePooling.Pool(d.Head.Pooling, encoded, steps, d.EncoderWidth, d.Encoder[^1].ForwardWidth, _pooled, _model.PoolWeight, _model.PoolBias?[0] ?? 0f, _scores);
        FloatOutputLayer.Apply(_model, _pooled, 1, outputs);
        return outputs;
    }
}
