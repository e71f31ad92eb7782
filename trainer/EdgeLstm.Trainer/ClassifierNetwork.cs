using EdgeLstm.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>The architecture of a sequence classifier (or, with pooling none, a tagger), as its model description states it.</summary>
public sealed record ClassifierShape(int VocabularySize, int EmbeddingDim, int HiddenSize, int Layers, bool Bidirectional, string Pooling, int Classes, double Dropout,
    int? MaxTokens = null);

/// <summary>
/// Embedding → nn.LSTM (forward or bidirectional) over packed sequences → pooling → dropout → Linear. Padding
/// (id 0) never reaches the LSTM: each sequence is packed at its own length, so the reverse direction starts at
/// its true end, and the pooling masks the padded steps. So a sentence's probabilities do not depend on what it
/// is batched with. The pooling formulas are <see cref="SequencePooling"/>'s. Field names are the state_dict
/// prefixes of the model description's tensors: embedding.*, lstm.*, pool.* (attention), fc.*.
/// </summary>
public sealed class ClassifierNetwork : nn.Module
{
    private readonly Embedding embedding;
    private readonly LSTM lstm;
    private readonly Linear? pool;
    private readonly Dropout drop;
    private readonly Linear fc;

    public ClassifierNetwork(ClassifierShape shape) : base(nameof(ClassifierNetwork))
    {
        Shape = shape;
        embedding = nn.Embedding(shape.VocabularySize, shape.EmbeddingDim, padding_idx: WordTokenizer.PadId);
        lstm = nn.LSTM(shape.EmbeddingDim, shape.HiddenSize, numLayers: shape.Layers, batchFirst: true,
            dropout: shape.Layers > 1 ? shape.Dropout : 0.0, bidirectional: shape.Bidirectional);
        int width = shape.Bidirectional ? 2 * shape.HiddenSize : shape.HiddenSize;
        if (shape.Pooling == Poolings.Attention) pool = nn.Linear(width, 1);
        drop = nn.Dropout(shape.Dropout);
        fc = nn.Linear(width, shape.Classes);
        RegisterComponents();
    }

    public ClassifierShape Shape { get; }

    /// <summary>tokens [B, T] (padded with 0), lengths [B] (int64, on the CPU) → logits [B, classes].</summary>
    public Tensor Forward(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var (output, h, mask) = Encode(tokens, lengths);
        Tensor pooled = Shape.Pooling switch
        {
            // The final state of each direction: h is [layers·directions, B, H], the top layer last.
            Poolings.Last => Shape.Bidirectional ? cat([h[-2], h[-1]], 1) : h[-1],
            Poolings.Mean => output.sum(1).div(lengths.unsqueeze(1).to_type(ScalarType.Float32)),
            Poolings.Max => output.masked_fill(mask.logical_not().unsqueeze(2), float.NegativeInfinity).amax([1]),
            Poolings.Attention => Attend(output, mask),
            _ => throw new ArgumentException($"pooling '{Shape.Pooling}' is not one of last, mean, max, attention"),
        };
        return fc.call(drop.call(pooled)).MoveToOuterDisposeScope();
    }

    /// <summary>The tag head (pooling none): tokens [B, T], lengths [B] → logits at every step [B, Tmax, classes] (rows past a length are padding).</summary>
    public Tensor ForwardSteps(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var (output, _, _) = Encode(tokens, lengths);
        return fc.call(drop.call(output)).MoveToOuterDisposeScope();
    }

    /// <summary>The encoder's outputs [B, Tmax, D] (zeros past each length), final hidden states and the mask of real steps [B, Tmax].</summary>
    private (Tensor Output, Tensor H, Tensor Mask) Encode(Tensor tokens, Tensor lengths)
    {
        var x = drop.call(embedding.call(tokens));
        var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: true, enforce_sorted: false);
        var (outputPacked, h, _) = lstm.call(packed);
        var (output, _) = nn.utils.rnn.pad_packed_sequence(outputPacked, batch_first: true);
        outputPacked.Dispose();
        var mask = arange(output.shape[1]).unsqueeze(0).lt(lengths.unsqueeze(1));
        return (output, h, mask);
    }

    private Tensor Attend(Tensor output, Tensor mask)
    {
        var scores = pool!.call(output).squeeze(2).masked_fill(mask.logical_not(), float.NegativeInfinity);
        var weights = scores.softmax(1).unsqueeze(2);
        return output.mul(weights).sum(1);
    }

    /// <summary>Copies the embedding and LSTM weights of a language model with the same sizes (pretraining).</summary>
    public void InitializeFrom(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
            if (weights.TryGetValue(name, out var source) && source.shape.SequenceEqual(parameter.shape)) parameter.copy_(source);
    }
}
