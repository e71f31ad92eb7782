namespace EdgeLstm.Trainer;

/// <summary>
/// A language GAN's discriminator that scores every prefix of a sequence in one pass: an ordinary classifier of our
/// description (tokens → forward LSTM → last step → 2 classes, "generated" and "real"), whose head is applied at
/// every step. With a forward LSTM and last-step pooling, step t's output is exactly the classifier's verdict on the
/// prefix x[..t], so one pass gives P(real | x[..t]) for every t — the per-token reward SeqGAN estimates with Monte
/// Carlo rollouts (Q(x[&lt;t], x[t]) = E[D(completed sequence)]), learnt directly as ScratchGAN (de Masson d'Autume et
/// al. 2019) does, at the cost of one forward pass instead of T·rollouts generator runs. The network it trains is
/// written as a plain classifier: `edgelstm classify` runs it on whole texts.
/// </summary>
public static class PrefixDiscriminator
{
    public const int GeneratedLabel = 0, RealLabel = 1;
    public static readonly string[] Labels = ["generated", "real"];

    /// <summary>The discriminator's description over the generator's own tokens.</summary>
    public static ModelDescription Describe(ITokenizer tokenizer, int embeddingDim, int hidden) =>
        ClassifierNetwork.Describe(tokenizer, embeddingDim, hidden, layers: 1, bidirectional: false, Poolings.Last, Labels);

    /// <summary>Logits [B, T, 2] of every prefix of the sequences [B, T] (all of length T).</summary>
    public static Tensor PrefixLogits(ClassifierNetwork network, Tensor sequences)
    {
        using var lengths = full([sequences.shape[0]], sequences.shape[1], dtype: ScalarType.Int64);
        return network.ForwardSteps(sequences, lengths);
    }

    /// <summary>P(real | x[..t]) for every prefix, [B, T], without gradients (the generator's rewards), in eval mode.</summary>
    public static Tensor RealProbabilities(ClassifierNetwork network, Tensor sequences)
    {
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var noGrad = no_grad();
            using var logits = PrefixLogits(network, sequences);
            return logits.softmax(2).select(2, RealLabel);
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }

    /// <summary>Cross-entropy over every prefix of real [B, T] and generated [B', T] sequences, each prefix labelled as its sequence.</summary>
    public static Tensor Loss(ClassifierNetwork network, Tensor real, Tensor generated)
    {
        using var scope = NewDisposeScope();
        var sequences = cat([real, generated], 0);
        var logits = PrefixLogits(network, sequences);
        long steps = sequences.shape[1];
        var labels = cat([full([real.shape[0], steps], RealLabel, dtype: ScalarType.Int64), full([generated.shape[0], steps], GeneratedLabel, dtype: ScalarType.Int64)], 0);
        return nn.functional.cross_entropy(logits.reshape(-1, 2), labels.reshape(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>The share of whole sequences (their last prefix) put on the right side of 0.5.</summary>
    public static double Accuracy(ClassifierNetwork network, Tensor real, Tensor generated)
    {
        using var scope = NewDisposeScope();
        var realLast = RealProbabilities(network, real).select(1, -1);
        var generatedLast = RealProbabilities(network, generated).select(1, -1);
        long right = realLast.gt(0.5).sum().item<long>() + generatedLast.le(0.5).sum().item<long>();
        return (double)right / (real.shape[0] + generated.shape[0]);
    }
}
