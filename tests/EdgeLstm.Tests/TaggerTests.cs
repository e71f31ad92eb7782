namespace EdgeLstm.Tests;

/// <summary>
/// The tag head (pooling none) over a BiLSTM or LSTM encoder: the runtime against libtorch on the same weights,
/// int8 on every kernel variant against the scalar kernels, and punctuation stripping and restoring.
/// </summary>
public sealed class TaggerTests
{
    private static readonly string[] Labels = [PunctuationTags.None, "，", "。", "、"];
    private const string Text = "春花秋月何时了往事知多少小楼昨夜又东风故国不堪回首月明中雕栏玉砌应犹在只是朱颜改";

    private static (ClassifierNetwork Network, CharTokenizer Tokenizer) RandomTagger(bool bidirectional, int layers, int seed)
    {
        var tokenizer = CharTokenizer.FromText(Text);
        return (TorchFixture.RandomNetwork<ClassifierNetwork>(ClassifierNetwork.Describe(tokenizer, 12, 16, layers, bidirectional, Poolings.None, Labels), seed), tokenizer);
    }

    private static int[][] Sentences(int vocabulary, int seed) => TorchFixture.RandomSequences(vocabulary, seed, 1, 3, 9, 33, 70, 131);

    [Theory]
    [InlineData(true, 2)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void FloatRunnerMatchesLibTorchAtEveryStep(bool bidirectional, int layers)
    {
        var (network, tokenizer) = RandomTagger(bidirectional, layers, seed: 7 + layers);
        var model = TaskNetworks.ToFloatModel(network);
        Assert.Equal(HeadKinds.Tag, model.Description.Task);
        Assert.True(PunctuationTags.IsRestorer(model.Description));
        using var runner = model.CreateRunner();
        int[][] sentences = Sentences(tokenizer.VocabularySize, seed: 5);
        float[] expected;
        int longest = sentences.Max(s => s.Length);
        using (NewDisposeScope())
        using (no_grad())
        {
            var (tokens, lengths) = ClassifierTrainer.Batch(sentences, Enumerable.Range(0, sentences.Length).ToArray());
            expected = network.ForwardSteps(tokens, lengths).contiguous().data<float>().ToArray();
        }
        double maxDiff = 0;
        for (int s = 0; s < sentences.Length; s++)
        {
            ReadOnlySpan<float> logits = runner.Run(sentences[s]);
            Assert.Equal(sentences[s].Length * Labels.Length, logits.Length);
            for (int t = 0; t < sentences[s].Length; t++)
                for (int c = 0; c < Labels.Length; c++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(logits[t * Labels.Length + c] - expected[(s * longest + t) * Labels.Length + c]));
        }
        Assert.True(maxDiff <= 1e-4, $"{(bidirectional ? "bidirectional" : "forward")} ×{layers}: max |runtime − libtorch| = {maxDiff:E3}");
    }

    [Fact]
    public void Int8TaggerIsBitIdenticalOnEveryKernelAndCloseToFloat()
    {
        var (network, tokenizer) = RandomTagger(bidirectional: true, layers: 2, seed: 31);
        var floatModel = TaskNetworks.ToFloatModel(network);
        using var q = EveryKernel.Convert(floatModel, "tagger.elstm");
        int[][] sentences = Sentences(tokenizer.VocabularySize, seed: 3);
        float[][] expected = EveryKernel.RunnerOutputs(q, sentences);
        // Two threads (each layer's reverse direction on a helper core) give the same bits, on sequences longer than
        // a chunk too; a forward-only model splits each layer's units instead, with the same bits.
        using (var twoThreads = q.CreateRunner(LstmKernels.Default, threads: 2))
        {
            Assert.Equal(2, twoThreads.Threads);
            int[] longer = [.. sentences.SelectMany(x => x), .. sentences.SelectMany(x => x)];
            using var oneThread = q.CreateRunner(LstmKernels.Default);
            float[] alone = oneThread.Run(longer).ToArray();
            for (int round = 0; round < 3; round++)
            {
                for (int s = 0; s < sentences.Length; s++)
                    Assert.True(expected[s].AsSpan().SequenceEqual(twoThreads.Run(sentences[s])), $"two threads: sentence {s} differs from one");
                Assert.True(alone.AsSpan().SequenceEqual(twoThreads.Run(longer)), $"two threads: {longer.Length} tokens differ from one");
            }
        }
        var (forward, _) = RandomTagger(bidirectional: false, layers: 1, seed: 32);
        using (var forwardOnly = EveryKernel.Convert(TaskNetworks.ToFloatModel(forward), "forward.elstm"))
        using (var oneThread = forwardOnly.CreateRunner(LstmKernels.Default))
        using (var runner = forwardOnly.CreateRunner(LstmKernels.Default, threads: 2))
        {
            Assert.Equal(2, runner.Threads);
            foreach (int[] sentence in sentences)
                Assert.True(oneThread.Run(sentence).ToArray().AsSpan().SequenceEqual(runner.Run(sentence)), "forward-only two threads differ from one");
        }
        EveryKernel.AssertCloseToFloat(floatModel, sentences, expected, tolerance: 0.15);
    }

    [Fact]
    public void StripTagsEachCharacterWithTheMarkAfterItAndRestoreUndoesIt()
    {
        const string punctuated = "春花秋月何时了，往事知多少。小楼、昨夜𠀀又东风。";
        var (text, tags) = PunctuationTags.Strip(punctuated, Labels);
        Assert.Equal("春花秋月何时了往事知多少小楼昨夜𠀀又东风", text);
        Assert.Equal(text.EnumerateRunes().Count(), tags.Length); // one tag per code point, a surrogate pair included
        Assert.Equal(1, tags[6]);  // 了，
        Assert.Equal(2, tags[11]); // 少。
        Assert.Equal(3, tags[13]); // 楼、
        Assert.Equal(2, tags[^1]);
        Assert.Equal(punctuated, PunctuationTags.Restore(text, tags, Labels));
        // A mark before any character is dropped; of two marks in a row the first is the label.
        var (lead, leadTags) = PunctuationTags.Strip("。春，。花", Labels);
        Assert.Equal("春花", lead);
        Assert.Equal([1, 0], leadTags);
    }

    [Fact]
    public void OnlyNonePlusSingleMarksMakeARestorer()
    {
        ModelDescription Tagger(string[] labels) => new()
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = 4, Tokenizer = CharTokenizer.FromText("ab").ToDescription() },
            Encoder = [new EncoderLayerDescription { Hidden = 4, Bidirectional = true }],
            Head = new HeadDescription { Kind = HeadKinds.Tag, Size = labels.Length, Labels = labels },
        };
        Assert.True(PunctuationTags.IsRestorer(Tagger(["none", "，", "?"])));
        Assert.False(PunctuationTags.IsRestorer(Tagger(["O", "B-PER", "I-PER"])));
        Assert.False(PunctuationTags.IsRestorer(Tagger(["none", "a"])));
    }
}
