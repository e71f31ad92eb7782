namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// N independent streams stepped together: an <see cref="Int8Encoder"/> of N streams, so every matrix product is
/// matrix × N vectors and each weight row is read once per step for all streams (throughput); the results are
/// bit-identical to N separate <see cref="QuantizedLstmSession"/>s. No allocation per step. Holds the model's file
/// until disposed.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedLstmBatch : IDisposable
{
    private readonly QuantizedLstmModel _model;
    private readonly int _count;
    private readonly Int8Encoder _encoder;
    private readonly Int8OutputLayer _head;
    private readonly float[] _logits;       // count × V

    public QuantizedLstmBatch(QuantizedLstmModel model, ILstmKernels kernels, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a batch needs at least one stream");
        if (!model.HasEmbedding) throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage + "; a batch steps token streams");
        if (!model.Description.IsSteppable) throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps");
        _model = model;
        _count = count;
        _encoder = new Int8Encoder(model, kernels, streams: count);
        _head = new Int8OutputLayer(model, kernels, count);
        _logits = new float[count * model.OutputSize];
    }

    public void Dispose() => _encoder.Dispose();

    public int Count => _count;

    /// <summary>Logits of stream <paramref name="stream"/> after the last step.</summary>
    public ReadOnlySpan<float> Logits(int stream) => _logits.AsSpan(stream * _model.OutputSize, _model.OutputSize);

    public void Reset() => _encoder.Reset();

    /// <summary>Feeds token <c>tokens[i]</c> to stream i, for every stream.</summary>
    public void Step(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != _count) throw new ArgumentException($"expected {_count} tokens, one per stream", nameof(tokens));
        ReadOnlySpan<float> top = _encoder.Encode(tokens);
        _head.Apply(top, _count, _encoder.HScale(_model.Layers.Length - 1)).CopyTo(_logits);
    }
}
