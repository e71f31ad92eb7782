using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// N independent streams through one float model, stepped together: each weight row is read from memory once
/// per step and dotted with all N inputs while it sits in L1, where N separate sessions would stream the whole
/// model N times. Each layer is one <see cref="FloatRecurrence"/> step of N streams, the driver sessions run, so the
/// logits are bit-identical to N vectorized sessions.
/// No allocation per step.
/// </summary>
[SkipLocalsInit]
public sealed class FloatLstmBatch
{
    private readonly FloatLstmModel _model;
    private readonly int _count;
    private readonly LstmState _state;  // per layer: count × H
    private readonly float[] _input;    // count × embedding
    private readonly float[] _gates;    // count × 4H (widest layer)
    private readonly float[] _logits;   // count × V

    public FloatLstmBatch(FloatLstmModel model, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a batch needs at least one stream");
        if (!model.HasEmbedding) throw new NotSupportedException(FloatLstmModel.NoVocabularyMessage + "; a batch steps token streams");
        if (!model.Description.IsSteppable) throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps");
        _model = model;
        _count = count;
        _state = new LstmState(Array.ConvertAll(model.Layers, layer => count * layer.HiddenSize));
        int rows = 0;
        foreach (FloatLstmLayer layer in model.Layers) rows = Math.Max(rows, 4 * layer.HiddenSize);
        _input = new float[count * model.EmbeddingDim];
        _gates = new float[count * rows];
        _logits = new float[count * model.VocabularySize];
    }

    public int Count => _count;

    /// <summary>Logits of stream <paramref name="stream"/> after the last step.</summary>
    public ReadOnlySpan<float> Logits(int stream) => _logits.AsSpan(stream * _model.VocabularySize, _model.VocabularySize);

    /// <summary>Sets every stream's h and c to zero.</summary>
    public void Reset() => _state.Clear();

    /// <summary>Feeds token <c>tokens[i]</c> to stream i, for every stream.</summary>
    public void Step(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != _count) throw new ArgumentException($"expected {_count} tokens, one per stream", nameof(tokens));
        int e = _model.EmbeddingDim, vocab = _model.VocabularySize;
        for (int b = 0; b < _count; b++)
        {
            if ((uint)tokens[b] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), tokens[b], $"token id must be below {vocab}");
            _model.Embedding.AsSpan(tokens[b] * e, e).CopyTo(_input.AsSpan(b * e, e));
        }
        ReadOnlySpan<float> inputs = _input;
        int inputSize = e;
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            FloatLstmLayer layer = _model.Layers[k];
            float[] h = _state.H[k], c = _state.C[k];
            FloatRecurrence.Run(layer, inputs, 1, _count, reverse: false, h, c, default, 0, 0, _gates);
            inputs = h;
            inputSize = layer.HiddenSize;
        }
        for (int b = 0; b < _count; b++) _model.HeadBias.CopyTo(_logits.AsSpan(b * vocab, vocab));
        FloatMatVec.MultiplyAdd(_model.HeadWeight, inputs, inputSize, _count, _logits, vocab);
    }
}
