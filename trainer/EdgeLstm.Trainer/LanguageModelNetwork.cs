namespace EdgeLstm.Trainer;

/// <summary>The next-token head: embedding → stacked forward LSTM (dropout between layers) → dropout → fc at every step.</summary>
public sealed class LanguageModelNetwork : TaskNetwork
{
    private readonly Linear fc;

    public LanguageModelNetwork(ModelDescription description, double dropout) : base(description, dropout)
    {
        if (description.Kind != ModelTask.LanguageModel) throw new ArgumentException($"a '{description.Task}' description, not a language model's");
        fc = Add(ModelTensors.HeadModule, nn.Linear(description.EncoderWidth, description.Head.Size));
    }

    /// <summary>A language model's description: tokens (characters or words) → forward LSTM layers → next-token head.</summary>
    public static ModelDescription Describe(ITokenizer tokenizer, int embeddingDim, int hidden, int layers)
    {
        var encoder = Enumerable.Range(0, layers).Select(_ => new EncoderLayerDescription { Hidden = hidden }).ToArray();
        if (tokenizer is CharTokenizer) // the description character models have always had
            return DescriptionReader.CharLm(tokenizer.ToDescription().Vocabulary, embeddingDim, encoder, "network", tokenizer.VocabularySize);
        return new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = embeddingDim, Tokenizer = tokenizer.ToDescription() },
            Encoder = encoder,
            Head = new HeadDescription { Kind = HeadKinds.NextToken, Size = tokenizer.VocabularySize },
        };
    }

    public int OutputSize => Description.Head.Size;

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
        var (output, h, c) = Encode(tokens, state);
        using (output)
        using (var dropped = Drop(output))
            return (fc.call(dropped), h, c);
    }
}
