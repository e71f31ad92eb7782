using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Tests;

/// <summary>
/// Word affix features (input.affixes, `tag --format conll --affixes`): the ids, the runtime against libtorch, int8
/// on every kernel, and a trained tagger that reads unknown words by their suffixes.
/// </summary>
public sealed class WordAffixTests
{
    private static readonly AffixDescription Affixes = new() { Buckets = 97, Size = 6, Prefixes = 2, Suffixes = 3, Shape = true };

    [Fact]
    public void AffixIdsFoldCaseAndDigitsWhileTheShapeKeepsThem()
    {
        var affixes = new WordAffixes(new AffixDescription { Buckets = 1 << 20, Size = 4, Prefixes = 3, Suffixes = 4, Shape = true });
        int[] Ids(string word)
        {
            var ids = new int[affixes.Description.PerWord];
            affixes.Encode(word, ids);
            return ids;
        }
        // Lower-cased affixes: only the shape (last id) tells "Running" from "running".
        Assert.Equal(Ids("running")[..^1], Ids("Running")[..^1]);
        Assert.NotEqual(Ids("running")[^1], Ids("Running")[^1]);
        Assert.Equal(Ids("1990"), Ids("2001"));                          // digits read as 0, shape d
        Assert.Equal(Ids("walking")[3..7], Ids("talking")[3..7]);         // suffixes g, ng, ing, king
        Assert.NotEqual(Ids("walking")[0], Ids("talking")[0]);
        Assert.Equal(3, Ids("a")[..3].Distinct().Count());                // a short word's prefixes still differ by length
        Assert.Equal(Ids("😀x")[0], Ids("😀y")[0]);                        // a code point is one character, not half a pair
        Assert.Equal(new[] { "XxXx", "dx", "X.X.", "x-x" }, new[] { "McDonald", "1990s", "U.S.", "well-known" }.Select(WordAffixes.Shape));
        Assert.Equal(Ids("Paris"), new WordAffixes(affixes.Description).Encode(["Paris"])); // no state: every instance agrees
    }

    private static (ClassifierNetwork Network, WordTokenizer Tokenizer) RandomTagger(int seed)
    {
        var tokenizer = WordTokenizer.Build(["the cat sat on the mat", "a dog ran in the park"], 100, 1, lowercase: true, whitespace: true);
        var description = ClassifierNetwork.Describe(tokenizer, 8, 12, 2, true, Poolings.None, ["DT", "NN", "VB", "IN"], crf: false, affixes: Affixes);
        return (TorchFixture.RandomNetwork<ClassifierNetwork>(description, seed), tokenizer);
    }

    private static readonly string[] Texts = ["The cat sat", "a Zorblat quuxed 1999 times on the mat", "Dogs", "the park in the dog ran sat-down quickly Nowhere ."];

    [Fact]
    public void FloatTaggerWithAffixesMatchesLibTorchAndNeedsTheAffixIds()
    {
        var (network, tokenizer) = RandomTagger(seed: 12);
        var model = TaskNetworks.ToFloatModel(network);
        Assert.Equal(14, model.Description.LayerInputWidth(0));
        int[][] ids = Array.ConvertAll(Texts, tokenizer.Encode);
        int[][] affixes = Array.ConvertAll(Texts, t => TaggerEvaluator.AffixIds(model.Description, tokenizer, t));
        float[] expected;
        int longest = ids.Max(s => s.Length), rows = Texts.Length, labels = 4;
        using (NewDisposeScope())
        using (no_grad())
        {
            int[] all = Enumerable.Range(0, rows).ToArray();
            var (tokens, lengths) = ClassifierTrainer.Batch(ids, all);
            expected = network.ForwardSteps(tokens, lengths, ClassifierTrainer.AffixBatch(affixes, all, longest, Affixes)).contiguous().data<float>().ToArray();
        }
        using var runner = model.CreateRunner();
        double maxDiff = 0;
        for (int s = 0; s < rows; s++)
        {
            ReadOnlySpan<float> logits = runner.Run(ids[s], affixes[s]);
            Assert.Equal(ids[s].Length * labels, logits.Length);
            for (int i = 0; i < logits.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(logits[i] - expected[s * longest * labels + i]));
        }
        Assert.True(maxDiff <= 1e-4, $"max |runtime − libtorch| = {maxDiff:E3}");

        // The affixes change the outputs (they are read), and a run without them is an error, not a silent zero.
        int[] other = (int[])affixes[1].Clone();
        other[0] = (other[0] + 1) % Affixes.Buckets;
        Assert.False(runner.Run(ids[1], affixes[1]).ToArray().AsSpan().SequenceEqual(runner.Run(ids[1], other)));
        Assert.Contains("affix ids", Assert.Throws<ArgumentException>(() => runner.Run(ids[1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(ids[1], Enumerable.Repeat(Affixes.Buckets, affixes[1].Length).ToArray()));
        Assert.False(model.Description.IsSteppable);
    }

    [Fact]
    public void Int8TaggerWithAffixesIsBitIdenticalOnEveryKernelAndCloseToFloat()
    {
        var (network, tokenizer) = RandomTagger(seed: 19);
        var floatModel = TaskNetworks.ToFloatModel(network);
        using var q = EveryKernel.Convert(floatModel, "affix-tagger.elstm");
        Assert.NotNull(q.Affixes);
        int[][] ids = Array.ConvertAll(Texts, tokenizer.Encode);
        int[][] affixes = Array.ConvertAll(Texts, t => TaggerEvaluator.AffixIds(q.Description, tokenizer, t));
        using var reference = q.CreateRunner(LstmKernels.Create(Int8DotScalar.Name));
        float[][] expected = Enumerable.Range(0, ids.Length).Select(s => reference.Run(ids[s], affixes[s]).ToArray()).ToArray();
        foreach (ILstmKernels kernels in LstmKernels.AllSupported(q.WeightBits))
            foreach (int threads in new[] { 1, 2 })
            {
                using var runner = q.CreateRunner(kernels, threads);
                for (int s = 0; s < ids.Length; s++)
                    Assert.True(expected[s].AsSpan().SequenceEqual(runner.Run(ids[s], affixes[s])), $"{kernels.Name}, {threads} threads: text {s} differs from the scalar kernels");
            }
        using var floatRunner = floatModel.CreateRunner();
        double maxDiff = 0;
        for (int s = 0; s < ids.Length; s++)
        {
            ReadOnlySpan<float> f = floatRunner.Run(ids[s], affixes[s]);
            for (int i = 0; i < f.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(f[i] - expected[s][i]));
        }
        Assert.True(maxDiff > 0 && maxDiff < 0.1, $"int8 vs float outputs: max difference {maxDiff:E3}");
    }

    /// <summary>`convert --max-loss` on a tagger with affixes: every variant is scored on a CoNLL file and timed (the timing run needs the affix ids too).</summary>
    [Fact]
    public void MaxLossWeighsTheVariantsOfATaggerWithAffixes()
    {
        using var dir = new TempDirectory();
        var (network, _) = RandomTagger(seed: 23);
        TaskNetworks.Save(dir.File("tagger.safetensors"), network);
        string[] labels = ["DT", "NN", "VB", "IN"];
        File.WriteAllText(dir.File("valid.conll"), string.Concat(Texts.Select(t => string.Concat(t.Split(' ').Select((w, i) => $"{w}\t{labels[i % 4]}\n")) + "\n")));
        var options = new ConvertOptions { Input = dir.File("tagger.safetensors"), Output = dir.File("tagger.elstm"), ValidText = dir.File("valid.conll") };
        var report = VariantSearch.Run(options, maxLoss: 1, Objective.Latency);
        Assert.Equal("token accuracy", report.MetricName);
        Assert.NotNull(report.Chosen);
        Assert.All(report.Variants.Where(v => v.Bytes > 0), v => Assert.True(v.MicrosecondsPerStep > 0, v.Name));
    }

    /// <summary>
    /// Tags that only the spelling tells: each sentence is three made-up words in random order, tagged by their
    /// suffix (-ous JJ, -ing VBG, -tion NN), after "the". The test words are stems never seen in training, so a tagger without
    /// affixes reads every one as &lt;unk&gt; and can only guess; with --affixes it reads the suffix.
    /// </summary>
    [Fact]
    public void WithAffixesATaggerReadsUnknownWordsBySuffix()
    {
        using var dir = new TempDirectory();
        (string Suffix, string Tag)[] kinds = [("ous", "JJ"), ("ing", "VBG"), ("tion", "NN")];
        string Stem(Random r) => string.Concat(Enumerable.Range(0, r.Next(3, 6)).Select(_ => (char)('a' + r.Next(26))));
        string Sentences(int count, int seed)
        {
            var random = new Random(seed);
            return string.Concat(Enumerable.Range(0, count).Select(_ =>
                "the\tDT\n" + string.Concat(Enumerable.Range(0, 3).Select(_ => kinds[random.Next(3)]).Select(k => $"{Stem(random)}{k.Suffix}\t{k.Tag}\n")) + "\n"));
        }
        File.WriteAllText(dir.File("train.conll"), Sentences(300, 1));
        File.WriteAllText(dir.File("valid.conll"), Sentences(30, 2));
        File.WriteAllText(dir.File("test.conll"), Sentences(40, 3));
        double Train(string name, params string[] extra)
        {
            var train = CliRunner.RunTrainer(["tag", "--format", "conll", "--train", dir.File("train.conll"), "--valid", dir.File("valid.conll"), "--test", dir.File("test.conll"),
                "--embedding-dim", "8", "--hidden-size", "8", "--layers", "1", "--epochs", "6", "--batch-size", "16", "--lr", "1e-2", "--threads", "1",
                "--seed", "4", "-o", dir.File(name), .. extra]);
            Assert.True(train.ExitCode == 0, train.Stderr);
            var unknown = System.Text.RegularExpressions.Regex.Match(train.Stdout, @"test\.conll: accuracy [0-9.]+%, unknown words ([0-9.]+)%");
            Assert.True(unknown.Success, train.Stdout);
            return double.Parse(unknown.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        double without = Train("plain.safetensors");
        double with = Train("affixes.safetensors", "--affixes", "--affix-size", "8", "--affix-buckets", "4096");
        Assert.True(with >= 95 && without < 60, $"unknown-word accuracy: {with}% with affixes, {without}% without");

        var convert = CliRunner.RunDev(["convert", dir.File("affixes.safetensors"), "-o", dir.File("affixes.elstm"), "--valid", dir.File("valid.conll")]);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        var info = CliRunner.Run(["info", "--model", dir.File("affixes.elstm")]);
        Assert.Contains("affixes:      prefixes 1-3, suffixes 1-4, shape of each word, hashed to 4,096 rows of 8", info.Stdout);
        var tagged = CliRunner.Run(["tag", "--model", dir.File("affixes.elstm"), "the blorption zibbous quaking"]);
        Assert.True(tagged.ExitCode == 0, tagged.Stderr);
        Assert.Equal("the/DT blorption/NN zibbous/JJ quaking/VBG", tagged.Stdout.Trim());
        var eval = CliRunner.Run(["eval", "--model", dir.File("affixes.elstm"), dir.File("test.conll")]);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Matches(@"^accuracy (9[5-9]|100)\.[0-9]+% on 160 tokens", eval.Stdout);
    }
}
