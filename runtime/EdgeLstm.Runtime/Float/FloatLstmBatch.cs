namespace EdgeLstm.Runtime.Float;

/// <summary>
/// N independent streams through one float model, stepped together: a <see cref="FloatEncoder"/> of N streams, so
/// each weight row is read from memory once per step and dotted with all N inputs while it sits in L1, where N
/// separate sessions would stream the whole model N times. The logits are bit-identical to N vectorized sessions
/// (<see cref="FloatMatVec"/>'s fixed summation order). No allocation per step.
/// </summary>
[SkipLocalsInit]
public sealed class FloatLstmBatch
{
    private readonly FloatLstmModel _model;
    private readonly int _count;
    private readonly FloatEncoder _encoder;
    private readonly float[] _logits;   // count × V

    public FloatLstmBatch(FloatLstmModel model, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a batch needs at least one stream");
        if (!model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; a batch steps token streams");
        if (!model.Description.IsSteppable) throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps");
        _model = model;
        _count = count;
        _encoder = new FloatEncoder(model, streams: count);
        _logits = new float[count * model.OutputSize];
    }

    public int Count => _count;

    /// <summary>Logits of stream <paramref name="stream"/> after the last step.</summary>
    public ReadOnlySpan<float> Logits(int stream) => _logits.AsSpan(stream * _model.OutputSize, _model.OutputSize);

    /// <summary>Sets every stream's h and c to zero.</summary>
    public void Reset() => _encoder.Reset();

    /// <summary>Feeds token <c>tokens[i]</c> to stream i, for every stream.</summary>
    public void Step(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != _count) throw new ArgumentException($"expected {_count} tokens, one per stream", nameof(tokens));
        FloatOutputLayer.Apply(_model, _encoder.Encode(tokens), _count, _logits);
    }
}
