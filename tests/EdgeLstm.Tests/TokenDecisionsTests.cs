using EdgeLstm.Runtime.Inspection;

namespace EdgeLstm.Tests;

/// <summary>What `edgelstm inspect` shows for classifiers and taggers: label probabilities and each token's part.</summary>
public sealed class TokenDecisionsTests
{
    private static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var p = new float[logits.Length];
        StableSoftmax.Compute(logits, p);
        return p;
    }

    [Fact]
    public void ATokensPartIsWhatThePredictedLabelLosesWithoutIt()
    {
        var model = TinyModels.Classifier(seed: 3);
        const string text = "the whale and a good film";
        var d = TokenDecisions.Run(model, text, 1000);
        int[] ids = model.Tokenizer.Encode(text);
        using var runner = model.CreateRunner();
        float[] whole = Softmax(runner.Run(ids));
        Assert.Equal(whole, d.Probabilities);
        Assert.Equal(ClassificationMetrics.ArgMax(whole), d.Predicted);
        Assert.Equal(ids.Length, d.Contribution!.Length);
        for (int t = 0; t < ids.Length; t++)
        {
            int[] without = [.. ids[..t], .. ids[(t + 1)..]];
            Assert.Equal(whole[d.Predicted] - Softmax(runner.Run(without))[d.Predicted], d.Contribution[t], 6);
        }
        Assert.Equal("the whale and a good film", d.Layout.Text); // a word model's tokens joined by spaces
        Assert.Contains(d.Contribution, c => c != 0);
    }

    [Fact]
    public void AttentionWeightsPoolTheEncoderOutputsIntoTheClassifiersLogits()
    {
        var model = TinyModels.Classifier(Poolings.Attention, seed: 6);
        int[] ids = model.Tokenizer.Encode("the whale and a good film, the ship");
        var d = TokenDecisions.Run(model, "the whale and a good film, the ship", 1000);
        float[] a = d.Attention!;
        Assert.Equal(ids.Length, a.Length);
        Assert.Equal(1f, a.Sum(), 5);
        // Σ a_t o_t through the output layer gives the runner's logits: the weights are the ones the pooling used.
        float[] outputs = EncoderOutputs.Of(model, ids);
        int width = model.Description.EncoderWidth;
        var pooled = new float[width];
        for (int t = 0; t < ids.Length; t++)
            for (int j = 0; j < width; j++) pooled[j] += a[t] * outputs[t * width + j];
        using var runner = model.CreateRunner();
        float[] logits = runner.Run(ids).ToArray();
        for (int k = 0; k < 2; k++)
        {
            float z = model.HeadBias[k];
            for (int j = 0; j < width; j++) z += model.HeadWeight[k * width + j] * pooled[j];
            Assert.Equal(logits[k], z, 4);
        }
        Assert.Null(TokenDecisions.Run(TinyModels.Classifier(Poolings.Max), "a good film", 100).Attention);
    }

    [Fact]
    public void ATaggersTokensEachGetLabelProbabilitiesThatPickItsTags()
    {
        var model = TinyModels.FromDescription(new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = 8, Tokenizer = CharTokenizer.FromText("春花秋月何时了往事知多少").ToDescription() },
            Encoder = [new EncoderLayerDescription { Hidden = 8, Bidirectional = true }],
            Head = new HeadDescription { Kind = HeadKinds.Tag, Size = 3, Labels = [PunctuationTags.None, "，", "。"] },
        }, seed: 4);
        const string text = "春花秋月何时了往事知多少";
        var d = TokenDecisions.Run(model, text, 1000);
        Assert.Null(d.Contribution);
        Assert.Equal(text, d.Layout.Text);
        using var runner = model.CreateRunner();
        int[] tags = TaggerEvaluator.Tag(runner, model.Tokenizer, text, model.Crf);
        for (int t = 0; t < tags.Length; t++)
        {
            ReadOnlySpan<float> p = d.Probabilities.AsSpan(t * 3, 3);
            Assert.Equal(1f, p[0] + p[1] + p[2], 5);
            Assert.Equal(tags[t], ClassificationMetrics.ArgMax(p));
        }
        Assert.Throws<ArgumentException>(() => TokenDecisions.Run(TinyModels.Create(), "the sea", 10));
    }
}
