using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// Embedding → stacked nn.LSTM (dropout between layers) → dropout → Linear. The field names are the
/// state_dict prefixes of the float exchange format: embedding.*, lstm.*, fc.*.
/// </summary>
public sealed class LanguageModelNetwork : nn.Module
{
    private readonly Embedding embedding;
    private readonly LSTM lstm;
    private readonly Dropout drop;
    private readonly Linear fc;

    public LanguageModelNetwork(LanguageModelShape shape) : base(nameof(LanguageModelNetwork))
    {
        Shape = shape;
        embedding = nn.Embedding(shape.VocabularySize, shape.EmbeddingDim);
        lstm = nn.LSTM(shape.EmbeddingDim, shape.HiddenSize, numLayers: shape.Layers, batchFirst: true,
            dropout: shape.Layers > 1 ? shape.Dropout : 0.0);
        drop = nn.Dropout(shape.Dropout);
        fc = nn.Linear(shape.HiddenSize, shape.VocabularySize);
        RegisterComponents();
    }

    public LanguageModelShape Shape { get; }

    /// <summary>Multiplies every logit by <paramref name="factor"/> exactly, by scaling the output layer's weight and bias.</summary>
    public void ScaleLogits(double factor)
    {
        using var noGrad = no_grad();
        fc.weight!.mul_(factor);
        fc.bias!.mul_(factor);
    }

    /// <summary>tokens [B, T] → logits [B, T, V] and the final (h, c), each [layers, B, H].</summary>
    public (Tensor Logits, Tensor H, Tensor C) Forward(Tensor tokens, (Tensor H, Tensor C)? state)
    {
        using var x = embedding.call(tokens);
        var (output, h, c) = lstm.call(x, state);
        using (output)
        using (var dropped = drop.call(output))
            return (fc.call(dropped), h, c);
    }
}

/// <summary>The architecture of a character LSTM.</summary>
public sealed record LanguageModelShape(int VocabularySize, int EmbeddingDim, int HiddenSize, int Layers, double Dropout);
