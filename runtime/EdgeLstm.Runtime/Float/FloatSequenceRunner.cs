using System.Runtime.CompilerServices;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// Runs whole sequences through a <see cref="FloatLstmModel"/> of any description: each layer over all steps with
/// <see cref="FloatRecurrence"/> (a bidirectional layer twice, into the two halves of its output), then
/// <see cref="SequencePooling"/> and the output layer, or the output layer at every step. Each sequence starts
/// from zero state. Buffers grow to the longest sequence seen; after that nothing is allocated.
/// </summary>
[SkipLocalsInit]
public sealed class FloatSequenceRunner : ISequenceRunner
{
    private readonly FloatLstmModel _model;
    private readonly float[] _h, _c, _pooled;
    private float[] _x = [], _y = [], _scratch = [], _scores = [], _outputs = [];

    internal FloatSequenceRunner(FloatLstmModel model)
    {
        _model = model;
        ModelDescription d = model.Description;
        int hidden = 0, widest = d.Input.Size;
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            hidden = Math.Max(hidden, d.Encoder[k].Hidden);
            widest = Math.Max(widest, d.Encoder[k].OutputWidth);
        }
        _h = new float[hidden];
        _c = new float[hidden];
        _pooled = new float[d.EncoderWidth];
        Widest = widest;
    }

    private int Widest { get; }
    public ModelDescription Description => _model.Description;

    /// <summary>Nothing to release: the float weights are managed arrays.</summary>
    public void Dispose()
    {
    }

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens)
    {
        if (!_model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; run it with RunVectors");
        Embed(tokens);
        return EncodeAndHead(tokens.Length);
    }

    /// <summary>The encoder's outputs for <paramref name="tokens"/>: steps × EncoderWidth (step-major), valid until the next call.</summary>
    internal ReadOnlySpan<float> Encode(ReadOnlySpan<int> tokens)
    {
        Embed(tokens);
        EncodeLayers(tokens.Length);
        return _x.AsSpan(0, tokens.Length * _model.Description.EncoderWidth);
    }

    /// <summary>The tokens' embeddings into _x (buffers grown to fit).</summary>
    private void Embed(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty) throw new ArgumentException("a sequence needs at least one token", nameof(tokens));
        int e = _model.EmbeddingDim, vocab = _model.Tokenizer.VocabularySize;
        Reserve(tokens.Length);
        for (int t = 0; t < tokens.Length; t++)
        {
            if ((uint)tokens[t] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), tokens[t], $"token id must be below {vocab}");
            _model.Embedding.AsSpan(tokens[t] * e, e).CopyTo(_x.AsSpan(t * e, e));
        }
    }

    public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs)
    {
        InputDescription input = _model.Description.Input;
        int size = input.Size, steps = VectorNormalization.StepsOf(input, inputs);
        Reserve(steps);
        inputs.CopyTo(_x);
        VectorNormalization.Apply(input, _x.AsSpan(0, inputs.Length));
        return EncodeAndHead(steps);
    }

    private void Reserve(int steps)
    {
        if (_scores.Length >= steps) return;
        int capacity = (int)Math.Min(int.MaxValue / 2, Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)steps)));
        ModelDescription d = _model.Description;
        _x = new float[capacity * Widest];
        _y = new float[capacity * Widest];
        _scores = new float[capacity];
        int hidden = _h.Length;
        _scratch = new float[FloatRecurrence.ScratchLength(hidden, 1, capacity)];
        _outputs = new float[(d.Head.Pooling == Poolings.None ? capacity : 1) * d.Head.Size];
    }

    private ReadOnlySpan<float> EncodeAndHead(int steps)
    {
        ModelDescription d = _model.Description;
        if (d.Head.Decoder is not null) throw new NotSupportedException("a sequence-to-sequence model's output is a sequence: run it with CreateTransducer");
        EncodeLayers(steps);
        int encoderWidth = d.EncoderWidth, size = d.Head.Size;
        if (d.Head.Pooling == Poolings.None)
        {
            Span<float> all = _outputs.AsSpan(0, steps * size);
            for (int t = 0; t < steps; t++) _model.HeadBias.CopyTo(all.Slice(t * size, size));
            FloatMatVec.MultiplyAdd(_model.HeadWeight, _x.AsSpan(0, steps * encoderWidth), encoderWidth, steps, all, size);
            return all;
        }
        SequencePooling.Pool(d.Head.Pooling, _x, steps, encoderWidth, d.Encoder[^1].Hidden, _pooled, _model.PoolWeight, _model.PoolBias?[0] ?? 0f, _scores);
        Span<float> logits = _outputs.AsSpan(0, size);
        _model.HeadBias.CopyTo(logits);
        FloatMatVec.MultiplyAdd(_model.HeadWeight, _pooled, logits);
        return logits;
    }

    /// <summary>Every encoder layer over the steps in _x (a bidirectional one in both directions); the top layer's outputs end in _x.</summary>
    private void EncodeLayers(int steps)
    {
        ModelDescription d = _model.Description;
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            int hidden = d.Encoder[k].Hidden, width = d.Encoder[k].OutputWidth;
            for (int direction = 0; direction < d.Encoder[k].Directions; direction++)
            {
                FloatLstmLayer layer = direction == 0 ? _model.Layers[k] : _model.ReverseLayers[k]!;
                Span<float> h = _h.AsSpan(0, hidden), c = _c.AsSpan(0, hidden);
                h.Clear();
                c.Clear();
                FloatRecurrence.Run(layer, _x, steps, 1, reverse: direction == 1, h, c, _y, width, direction * hidden, _scratch);
            }
            (_x, _y) = (_y, _x);
        }
    }
}
