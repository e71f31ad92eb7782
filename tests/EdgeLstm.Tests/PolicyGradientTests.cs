namespace EdgeLstm.Tests;

/// <summary>The GAN generator's policy-gradient step (REINFORCE with a batch-mean baseline) on a toy language model.</summary>
public sealed class PolicyGradientTests
{
    [Fact]
    public void TheStepRaisesTheRewardedSequenceAndLowersTheOther()
    {
        var tokenizer = CharTokenizer.FromText("ab", 1);
        using var network = TorchFixture.RandomNetwork<LanguageModelNetwork>(LanguageModelNetwork.Describe(tokenizer, 8, 16, 1), seed: 3);
        network.train();
        int[][] sequences = [tokenizer.Encode("aaaaaa"), tokenizer.Encode("abbbbb")];
        using var input = tensor(sequences.SelectMany(s => s[..^1]).Select(t => (long)t).ToArray(), [2, 5]);
        using var target = tensor(sequences.SelectMany(s => s[1..]).Select(t => (long)t).ToArray(), [2, 5]);
        using var rewards = tensor(new float[] { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 }, [2, 5]); // the first sequence is rewarded at every step
        using var advantages = PolicyGradient.Advantages(rewards);

        double[] LogProbabilities()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var (logits, _, _) = network.Forward(input, null);
            var chosen = nn.functional.log_softmax(logits, -1).gather(2, target.unsqueeze(2)).squeeze(2).sum(1);
            return [chosen[0].item<float>(), chosen[1].item<float>()];
        }
        double[] before = LogProbabilities();
        var optimizer = optim.Adam(network.parameters(), lr: 1e-2);
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var (logits, _, _) = network.Forward(input, null);
            optimizer.zero_grad();
            PolicyGradient.Loss(logits, target, advantages).backward();
            optimizer.step();
        }
        double[] after = LogProbabilities();
        Assert.True(after[0] > before[0] + 0.5, $"rewarded: log P {before[0]:F3} → {after[0]:F3}");
        Assert.True(after[1] < before[1] - 0.5, $"unrewarded: log P {before[1]:F3} → {after[1]:F3}");
    }

    [Fact]
    public void AdvantagesAreRewardsLessTheBatchMeanAtEachStep()
    {
        using var rewards = tensor(new float[] { 1, 0.5f, 0, 0.5f }, [2, 2]);
        Assert.Equal([0.5f, 0, -0.5f, 0], PolicyGradient.Advantages(rewards).data<float>().ToArray());
    }
}
