using System.Globalization;
using EdgeLstm.Runtime.SafeTensors;
using EdgeLstm.Trainer;

namespace EdgeLstm.Tests;

public class CheckpointAverageTests
{
    private static string Model(TempDirectory dir, string name, string description, float[] a, float[] b, long[]? shapeA = null)
    {
        string path = dir.File(name);
        SafeTensorsWriter.Write(path,
            [new SafeTensorsWriter.Tensor("a", shapeA ?? [2, 2], a), new SafeTensorsWriter.Tensor("b", [1], b)],
            new Dictionary<string, string>
            {
                ["edgelstm.format_version"] = "1", ["edgelstm.model"] = description, ["edgelstm.trainer.valid_wer"] = "25.0",
            });
        return path;
    }

    [Fact]
    public void TheMeanOfEveryTensorIsWrittenWithTheDescriptionAndWithoutTheInputsScores()
    {
        using var dir = new TempDirectory();
        string x = Model(dir, "x.safetensors", "{\"d\":1}", [1, 2, 3, 4], [10]);
        string y = Model(dir, "y.safetensors", "{\"d\":1}", [3, 2, -3, 5], [20]);
        string z = Model(dir, "z.safetensors", "{\"d\":1}", [2, 2, 0, 0.5f], [0]);
        CheckpointAverage.Write([x, y, z], dir.File("mean.safetensors"), "edgelstm-train average x y z");

        SafeTensorsFile mean = SafeTensorsReader.Read(dir.File("mean.safetensors"));
        Assert.Equal([2f, 2f, 0f, 9.5f / 3], mean.ReadFloats(mean.Tensors["a"]));
        Assert.Equal([10f], mean.ReadFloats(mean.Tensors["b"]));
        Assert.Equal("{\"d\":1}", mean.Metadata["edgelstm.model"]);
        Assert.Equal("x.safetensors, y.safetensors, z.safetensors", mean.Metadata["edgelstm.trainer.averaged"]);
        Assert.False(mean.Metadata.ContainsKey("edgelstm.trainer.valid_wer"));
    }

    [Fact]
    public void ModelsThatDifferAreRefusedInOneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        string x = Model(dir, "x.safetensors", "{\"d\":1}", [1, 2, 3, 4], [10]);
        string other = Model(dir, "other.safetensors", "{\"d\":2}", [1, 2, 3, 4], [10]);
        string shape = Model(dir, "shape.safetensors", "{\"d\":1}", [1, 2, 3, 4], [10], shapeA: [4, 1]);
        string output = dir.File("mean.safetensors");

        var e = Assert.Throws<ArgumentException>(() => CheckpointAverage.Write([x, other], output, "c"));
        Assert.StartsWith("other.safetensors: metadata 'edgelstm.model' differs from x.safetensors's", e.Message);
        e = Assert.Throws<ArgumentException>(() => CheckpointAverage.Write([x, shape], output, "c"));
        Assert.Equal("shape.safetensors: tensor 'a' is [4, 1]; x.safetensors has [2, 2]", e.Message);
        Assert.Throws<ArgumentException>(() => CheckpointAverage.Write([x], output, "c"));
        Assert.False(File.Exists(output));
    }
}

/// <summary>`seq2seq --average-last N`: the mean of the last N epochs replaces the best epoch only when it scores a lower validation WER.</summary>
public class Seq2SeqAverageLastTests
{
    /// <summary>Random letter strings pronounced by a context rule (a vowel after 'h' changes), so a small model learns part of it in a few epochs.</summary>
    private static List<LexiconWord> Lexicon(int count, string split, Random random)
    {
        string[] sounds = ["AA", "B", "K", "D", "EH", "F", "G", "HH"];
        var words = new List<LexiconWord>();
        for (int i = 0; i < count; i++)
        {
            char[] letters = Enumerable.Range(0, random.Next(2, 5)).Select(_ => (char)('A' + random.Next(8))).ToArray();
            var phonemes = letters.Select((c, k) => k > 0 && letters[k - 1] == 'H' && c is 'A' or 'E' ? "IY" : sounds[c - 'A']).ToArray();
            words.Add(new LexiconWord(new string(letters), [phonemes], split));
        }
        return words;
    }

    [Fact]
    public void TheAverageOfTheLastEpochsIsKeptOnlyWhenItScoresBetter()
    {
        using var dir = new TempDirectory();
        var random = new Random(3);
        var train = Lexicon(800, "train", random);
        var valid = Lexicon(100, "valid", random);
        TorchFixture.Init(seed: 5);
        var options = new Seq2SeqOptions
        {
            EmbeddingDim = 16, EncoderHidden = 16, EncoderLayers = 1, DecoderEmbedding = 16, DecoderHidden = 32, Epochs = 5, Patience = 10, Threads = 1, BatchSize = 16, Dropout = 0,
            LearningRate = 5e-3, CheckpointDir = dir.File("ckpt"), AverageLast = 3,
        };
        var lines = new List<string>();
        var trainer = new Seq2SeqTrainer(options);
        var result = trainer.Train(train, valid, CancellationToken.None, lines.Add);

        Assert.Equal(["epoch-0003", "epoch-0004", "epoch-0005"], Directory.GetDirectories(dir.File("ckpt")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        CheckpointAverage.Write(EpochLoop.RecentWeights(dir.File("ckpt"), 5, 3), dir.File("mean.safetensors"), "test");
        using var mean = TaskNetworks.Load<Seq2SeqNetwork>(dir.File("mean.safetensors"), dropout: 0);
        var tokenizer = result.Description.Input.Tokenizer!.Create("t");
        double meanWer = trainer.Score(mean, valid, tokenizer, result.Description.Head.Labels).Wer;
        double bestWer = double.Parse(lines.Single(l => l.StartsWith($"epoch {result.BestEpoch}:", StringComparison.Ordinal)).Split("valid WER ")[1].Split('%')[0], CultureInfo.InvariantCulture);
        Assert.True(meanWer != bestWer, $"the mean and the best epoch both score {meanWer}%: the data are chosen so the two differ, otherwise the test says nothing\n{string.Join("\n", lines)}");
        Assert.Contains(lines, l => l.StartsWith($"average of epochs 3..5: valid WER {meanWer:F2}%", StringComparison.Ordinal));

        var kept = mean.state_dict();
        var trained = result.Network.state_dict();
        bool keptMean = kept.All(p => p.Value.eq(trained[p.Key]).all().item<bool>());
        Assert.Equal(meanWer < bestWer, keptMean);
        Assert.Equal(meanWer < bestWer ? 3 : 0, result.AveragedFrom);
        Assert.Equal(Math.Min(meanWer, bestWer), result.ValidWer, 6);
        result.Network.Dispose();
    }
}
