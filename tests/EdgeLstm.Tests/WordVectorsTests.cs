namespace EdgeLstm.Tests;

/// <summary>`edgelstm-train vectors` (skip-gram with negative sampling), the word2vec text files and `classify --init-embedding`.</summary>
public sealed class WordVectorsTests
{
    private static SkipGramOptions Options(int epochs = 3) => new()
    {
        Dimension = 16, Window = 2, Negatives = 5, MinCount = 1, Sample = 0, Epochs = epochs, BatchSize = 256, LearningRate = 1e-2, Threads = 1, Seed = 5,
    };

    /// <summary>
    /// Sentences from a small grammar: "cat" and "kitten" fill the same slot and never meet, nor do "car" and "truck",
    /// so skip-gram (which sees only contexts) has every reason to give each pair the same vector.
    /// </summary>
    private static List<string> ToyCorpus(int sentences, int seed)
    {
        var random = new Random(seed);
        string[] pets = ["cat", "kitten"], vehicles = ["car", "truck"];
        string[] petVerbs = ["purrs", "sleeps", "meows", "eats"], vehicleVerbs = ["drives", "honks", "parks", "stalls"];
        string[] places = ["home", "town", "garden", "road"];
        var texts = new List<string>();
        for (int i = 0; i < sentences; i++)
        {
            bool pet = random.Next(2) == 0;
            string subject = pet ? pets[random.Next(2)] : vehicles[random.Next(2)];
            string verb = pet ? petVerbs[random.Next(4)] : vehicleVerbs[random.Next(4)];
            texts.Add($"the {subject} {verb} near the {places[random.Next(4)]}");
        }
        return texts;
    }

    [Fact]
    public void TheSkipGramLossFallsOnAToyCorpus()
    {
        var result = new SkipGramTrainer(Options(epochs: 3)).Train(ToyCorpus(3000, seed: 1));
        Assert.True(result.EpochLoss[2] < result.EpochLoss[0] - 0.1, $"loss by epoch: {string.Join(", ", result.EpochLoss)}");
        // Negative sampling's loss starts at (1 + K)·ln 2 with zero output vectors; it must be well below that.
        Assert.True(result.EpochLoss[2] < 0.8 * 6 * Math.Log(2), $"final loss {result.EpochLoss[2]}");
    }

    [Fact]
    public void PlantedSynonymsAreEachOthersNearestNeighbours()
    {
        WordVectors vectors = new SkipGramTrainer(Options(epochs: 4)).Train(ToyCorpus(3000, seed: 2)).Vectors;
        Assert.Equal("kitten", vectors.Neighbours("cat", 1)[0].Word);
        Assert.Equal("cat", vectors.Neighbours("kitten", 1)[0].Word);
        Assert.Equal("truck", vectors.Neighbours("car", 1)[0].Word);
        Assert.Equal("car", vectors.Neighbours("truck", 1)[0].Word);
    }

    [Fact]
    public void SubsamplingKeepsAWordWithTheFormulasProbability()
    {
        // word2vec: a word of frequency f is kept with probability √(t / f), at most 1.
        Assert.Equal(Math.Sqrt(1e-3 / 0.01), SkipGramTrainer.KeepProbability(count: 100, total: 10_000, sample: 1e-3), 12);
        Assert.Equal(1.0, SkipGramTrainer.KeepProbability(count: 1, total: 10_000, sample: 1e-3));
        Assert.Equal(1.0, SkipGramTrainer.KeepProbability(count: 5_000, total: 10_000, sample: 0));

        // And the draws follow it: word 0 makes half the stream (kept with √(0.01 / 0.5) ≈ 0.141), word 1 the rest.
        int[] stream = Enumerable.Range(0, 200_000).Select(i => i % 2).ToArray();
        double[] keep = [SkipGramTrainer.KeepProbability(100_000, 200_000, 0.01), SkipGramTrainer.KeepProbability(100_000, 200_000, 0.9)];
        var kept = new List<int>();
        SkipGramTrainer.Subsample(stream, keep, new Random(3), kept);
        double share0 = kept.Count(id => id == 0) / 100_000.0, share1 = kept.Count(id => id == 1) / 100_000.0;
        Assert.Equal(keep[0], share0, 0.005);
        Assert.Equal(1.0, share1);
    }

    [Fact]
    public void VectorFilesRoundTripAndGloVeFilesRead()
    {
        using var dir = new TempDirectory();
        var vectors = new WordVectors(["the", "cat", "naïve"], [0.5f, -1.25f, 3e-8f, 1f, -0f, 7.123456f], dimension: 2);
        vectors.Write(dir.File("a.vec"));
        Assert.StartsWith("3 2\nthe 0.5 -1.25\n", File.ReadAllText(dir.File("a.vec")));
        var back = WordVectors.Read(dir.File("a.vec"));
        Assert.Equal(vectors.Words, back.Words);
        for (int i = 0; i < 3; i++) Assert.Equal(vectors[i].ToArray(), back[i].ToArray());

        File.WriteAllText(dir.File("glove.txt"), "the 0.1 0.2 0.3\ncat 1 2 3\n");
        var glove = WordVectors.Read(dir.File("glove.txt"));
        Assert.Equal(3, glove.Dimension);
        Assert.Equal(new[] { 1f, 2f, 3f }, glove[glove.IndexOf("cat")].ToArray());
    }

    [Theory]
    [InlineData("2 2\nthe 1 2\ncat 1\n", "bad.vec line 3: expected a word and 2 numbers separated by spaces, got 2 fields")]
    [InlineData("the 1 2\ncat 1 x\n", "bad.vec line 2: 'x' (value 2 of 'cat') is not a finite number")]
    [InlineData("the 1 2\ncat 1 NaN\n", "bad.vec line 2: 'NaN' (value 2 of 'cat') is not a finite number")]
    [InlineData("the 1 2\ncat 1 2\nthe 3 4\n", "bad.vec line 3: 'the' already has a vector (line 1)")]
    [InlineData("3 2\nthe 1 2\ncat 1 2\n", "bad.vec: the header promises 3 words, the file has 2")]
    [InlineData("\n", "bad.vec: no word vectors in the file")]
    public void ABadVectorsFileIsAOneLineErrorNamingTheLine(string content, string message)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.vec"), content);
        var run = CliRunner.RunTrainer(["vectors", "--vectors", dir.File("bad.vec"), "--neighbours", "the"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: " + message, run.Stderr.Trim());
    }

    [Fact]
    public void TheCliTrainsWritesAndShowsNeighbours()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("toy.txt"), ToyCorpus(3000, seed: 4));
        var run = CliRunner.RunTrainer(["vectors", "--text", dir.File("toy.txt"), "-o", dir.File("toy.vec"), "--dim", "16", "--window", "2", "--min-count", "1",
            "--sample", "0", "--epochs", "4", "--lr", "1e-2", "--batch-size", "256", "--threads", "1", "-q", "--neighbours", "cat", "--analogy", "cat", "purrs", "car"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        string[] lines = run.Stdout.Trim().Split('\n');
        Assert.StartsWith("18 vectors of 16 written to", lines[0]);
        Assert.StartsWith("cat: kitten ", lines[1]);
        Assert.StartsWith("cat : purrs :: car : ", lines[2]);
        Assert.Equal(18, WordVectors.Read(dir.File("toy.vec")).Count);
    }

    /// <summary>Frozen: the trained classifier's embedding rows are the vectors exactly; words without one (and &lt;unk&gt;) are not; --vector-words adds the vectors' words to the vocabulary.</summary>
    [Fact]
    public void TheClassifierStartsItsEmbeddingFromTheVectors()
    {
        using var dir = new TempDirectory();
        var lines = new List<string> { "fold\tsource\tlabel\ttext" };
        foreach (string fold in new[] { "train", "train", "valid", "test" })
        {
            lines.Add($"{fold}\ttiny\tpos\tgreat fun film");
            lines.Add($"{fold}\ttiny\tneg\tawful dull film");
        }
        File.WriteAllLines(dir.File("tiny.tsv"), lines);
        var random = new Random(9);
        string[] words = ["great", "awful", "film", "superb"];
        var vectors = new WordVectors(words, Enumerable.Range(0, words.Length * 8).Select(_ => (float)random.NextDouble()).ToArray(), dimension: 8);
        vectors.Write(dir.File("v.vec"));
        string[] common = ["classify", "--data", dir.File("tiny.tsv"), "--test-fold", "test", "--valid-fold", "valid", "--embedding-dim", "8", "--hidden-size", "8",
            "--epochs", "2", "--min-count", "1", "--threads", "1", "-q", "--init-embedding", dir.File("v.vec")];

        var frozen = CliRunner.RunTrainer([.. common, "--freeze-embedding", "-o", dir.File("frozen.safetensors")]);
        Assert.True(frozen.ExitCode == 0, frozen.Stderr);
        var (vocabulary, embedding) = Embedding(dir.File("frozen.safetensors"));
        Assert.DoesNotContain("superb", vocabulary);
        foreach (string word in new[] { "great", "awful", "film" })
            Assert.Equal(vectors[vectors.IndexOf(word)].ToArray(), embedding[Array.IndexOf(vocabulary, word)]);
        Assert.NotEqual(embedding[Array.IndexOf(vocabulary, "fun")], embedding[Array.IndexOf(vocabulary, "dull")]); // random rows, not zeros

        var tuned = CliRunner.RunTrainer([.. common, "--vector-words", "-o", dir.File("tuned.safetensors")]);
        Assert.True(tuned.ExitCode == 0, tuned.Stderr);
        (vocabulary, embedding) = Embedding(dir.File("tuned.safetensors"));
        Assert.Contains("superb", vocabulary);
        Assert.Equal(vectors[vectors.IndexOf("superb")].ToArray(), embedding[Array.IndexOf(vocabulary, "superb")]); // no training text has it: no gradient
        Assert.NotEqual(vectors[vectors.IndexOf("great")].ToArray(), embedding[Array.IndexOf(vocabulary, "great")]); // fine-tuned

        var mismatch = CliRunner.RunTrainer([.. common.Select(a => a == "8" ? "6" : a), "-o", dir.File("x.safetensors")]);
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Equal("error: --init-embedding: the vectors have 8 values a word, --embedding-dim is 6; make them equal", mismatch.Stderr.Trim());
    }

    /// <summary>
    /// --fold-vectors trains each split's vectors on the unlabelled text and that split's training texts only: with
    /// --vector-words the vocabulary gains a word only the unlabelled text has, never one only the validation and
    /// test texts have (each seen often enough for a vector), and the frozen rows are the fresh vectors'.
    /// </summary>
    [Fact]
    public void FoldVectorsLearnFromTheUnlabelledAndTrainingTextsOnly()
    {
        using var dir = new TempDirectory();
        var lines = new List<string> { "fold\tsource\tlabel\ttext" };
        for (int i = 0; i < 10; i++)
        {
            lines.Add("train\ttiny\tpos\tgreat fun film");
            lines.Add("train\ttiny\tneg\tawful dull film");
        }
        foreach (string fold in new[] { "valid", "test" })
            for (int i = 0; i < 6; i++) lines.Add($"{fold}\ttiny\t{(i % 2 == 0 ? "pos" : "neg")}\tsecretword film");
        File.WriteAllLines(dir.File("tiny.tsv"), lines);
        File.WriteAllLines(dir.File("unlabelled.txt"), Enumerable.Repeat("the unlabelledword film was long", 20));

        var run = CliRunner.RunTrainer(["classify", "--data", dir.File("tiny.tsv"), "--test-fold", "test", "--valid-fold", "valid", "--embedding-dim", "8",
            "--hidden-size", "8", "--epochs", "2", "--min-count", "1", "--threads", "1", "-q", "--fold-vectors", dir.File("unlabelled.txt"),
            "--fold-vectors-epochs", "2", "--vector-words", "--freeze-embedding", "-o", dir.File("m.safetensors")]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var (vocabulary, embedding) = Embedding(dir.File("m.safetensors"));
        Assert.Contains("unlabelledword", vocabulary);
        Assert.Contains("great", vocabulary);
        Assert.DoesNotContain("secretword", vocabulary);

        // The same vectors trained directly (the classifier's dimension, seed and threads) are the frozen rows.
        var expected = new SkipGramTrainer(new SkipGramOptions { Dimension = 8, Epochs = 2, Threads = 1, Seed = 42 })
            .Train([.. Enumerable.Repeat("the unlabelledword film was long", 20), .. lines.Skip(1).Take(20).Select(l => l.Split('\t')[3])]).Vectors;
        foreach (string word in new[] { "unlabelledword", "film", "great" })
            Assert.Equal(expected[expected.IndexOf(word)].ToArray(), embedding[Array.IndexOf(vocabulary, word)]);
    }

    /// <summary>The word language model takes the vectors too: frozen, its rows are theirs after training.</summary>
    [Fact]
    public void TheWordLanguageModelStartsItsEmbeddingFromTheVectors()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.txt"), string.Concat(Enumerable.Repeat("the cat sat on the mat . the dog sat on the log . ", 20)));
        File.WriteAllText(dir.File("valid.txt"), "the cat sat on the log . ");
        var random = new Random(3);
        string[] words = ["cat", "dog", "sat"];
        var vectors = new WordVectors(words, Enumerable.Range(0, words.Length * 8).Select(_ => (float)random.NextDouble()).ToArray(), dimension: 8);
        vectors.Write(dir.File("v.vec"));
        var run = CliRunner.RunTrainer(["--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "--tokenizer", "word", "--min-count", "1", "--embedding-dim", "8",
            "--hidden-size", "8", "--layers", "1", "--epochs", "1", "--batch-size", "2", "--seq-len", "8", "--threads", "1", "-q",
            "--init-embedding", dir.File("v.vec"), "--freeze-embedding", "-o", dir.File("lm.safetensors")]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var (vocabulary, embedding) = Embedding(dir.File("lm.safetensors"));
        foreach (string word in words) Assert.Equal(vectors[vectors.IndexOf(word)].ToArray(), embedding[Array.IndexOf(vocabulary, word)]);

        var charModel = CliRunner.RunTrainer(["--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "--init-embedding", dir.File("v.vec"), "-o", dir.File("c.safetensors")]);
        Assert.Equal(2, charModel.ExitCode);
        Assert.Equal("error: --init-embedding needs --tokenizer word (word vectors)", charModel.Stderr.Trim());
    }

    private static (string[] Vocabulary, float[][] Rows) Embedding(string path)
    {
        var file = SafeTensorsReader.Read(path);
        var description = ModelDescription.FromJson(file.Metadata[ModelMetadataKeys.Model], path);
        string[] vocabulary = description.Input.Tokenizer!.Vocabulary;
        float[] values = file.ReadFloats(file.Tensors[ModelTensors.EmbeddingWeight]);
        int d = description.Input.Size;
        return (vocabulary, Enumerable.Range(0, vocabulary.Length).Select(i => values.AsSpan(i * d, d).ToArray()).ToArray());
    }
}
