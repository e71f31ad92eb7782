using Xunit;

namespace EdgeLstm.Tests;

/// <summary>The real `edgelstm-train classify` on a tiny labelled file: what it scores and what it records in the model.</summary>
public sealed class TrainerClassifyCliTests
{
    private static string TinyData(TempDirectory dir)
    {
        var lines = new List<string> { "fold\tsource\tlabel\ttext" };
        string[] good = ["great fun film", "a lovely good story", "good acting and great music", "fun and lovely"],
            bad = ["awful dull film", "a bad boring story", "bad acting and awful music", "dull and boring"];
        foreach (string fold in new[] { "train", "train", "train", "valid", "test" })
            for (int i = 0; i < good.Length; i++)
            {
                lines.Add($"{fold}\ttiny\tpos\t{good[i]}");
                lines.Add($"{fold}\ttiny\tneg\t{bad[i]}");
            }
        File.WriteAllLines(dir.File("tiny.tsv"), lines);
        return dir.File("tiny.tsv");
    }

    private static CliRunner.Result Train(string data, string output, params string[] extra) =>
        CliRunner.RunTrainer(["classify", "--data", data, "--test-fold", "test", "--valid-fold", "valid", "--embedding-dim", "8", "--hidden-size", "8",
            "--epochs", "2", "--min-count", "1", "--threads", "1", "-q", "-o", output, .. extra]);

    /// <summary>--validation-only scores the validation fold and records no test accuracy: configurations can be compared without looking at the test texts.</summary>
    [Fact]
    public void ValidationOnlyLeavesTheTestFoldUnscored()
    {
        using var dir = new TempDirectory();
        string data = TinyData(dir);

        var chosen = Train(data, dir.File("a.safetensors"), "--validation-only");
        Assert.True(chosen.ExitCode == 0, chosen.Stderr);
        Assert.StartsWith("validation fold valid: LSTM", chosen.Stdout.Trim());
        var metadata = SafeTensorsReader.Read(dir.File("a.safetensors")).Metadata;
        Assert.True(metadata.ContainsKey("edgelstm.trainer.valid_accuracy"));
        Assert.False(metadata.ContainsKey("edgelstm.trainer.test_accuracy"));

        var scored = Train(data, dir.File("b.safetensors"));
        Assert.True(scored.ExitCode == 0, scored.Stderr);
        Assert.StartsWith("test fold test: LSTM", scored.Stdout.Trim());
        Assert.True(SafeTensorsReader.Read(dir.File("b.safetensors")).Metadata.ContainsKey("edgelstm.trainer.test_accuracy"));

        var refused = CliRunner.RunTrainer("classify", "--data", data, "--cv", "--validation-only");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--validation-only", refused.Stderr);
    }

    /// <summary>A user's own file with just label and text columns trains on a printed, seeded split by label.</summary>
    [Fact]
    public void AFileWithoutFoldsTrainsOnASeededSplitItPrints()
    {
        using var dir = new TempDirectory();
        var lines = new List<string> { "label\ttext" };
        string[] good = ["great fun film", "a lovely good story", "good acting and great music", "fun and lovely"],
            bad = ["awful dull film", "a bad boring story", "bad acting and awful music", "dull and boring"];
        for (int i = 0; i < 20; i++)
        {
            lines.Add($"pos\t{good[i % 4]} {i}");
            lines.Add($"neg\t{bad[i % 4]} {i}");
        }
        File.WriteAllLines(dir.File("mine.tsv"), lines);
        string[] common = ["classify", "--data", dir.File("mine.tsv"), "--embedding-dim", "8", "--hidden-size", "8", "--epochs", "2", "--min-count", "1", "--threads", "1", "-q"];

        var trained = CliRunner.RunTrainer([.. common, "-o", dir.File("m.safetensors")]);
        Assert.True(trained.ExitCode == 0, trained.Stderr);
        Assert.Contains("mine.tsv has no fold column: split by label with seed 42: 32 train, 4 valid (10%), 4 test (10%) texts", trained.Stderr);
        Assert.StartsWith("test fold test: LSTM", trained.Stdout.Trim());

        var named = CliRunner.RunTrainer([.. common, "--test-fold", "0", "-o", dir.File("n.safetensors")]);
        Assert.Equal(2, named.ExitCode);
        Assert.Contains("mine.tsv has no fold column, so --test-fold and --valid-fold name nothing", named.Stderr);
        Assert.DoesNotContain("   at ", named.Stderr);

        File.WriteAllLines(dir.File("nolabel.tsv"), ["text", "a film"]);
        var missing = CliRunner.RunTrainer("classify", "--data", dir.File("nolabel.tsv"), "-o", dir.File("x.safetensors"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("has no 'label' column", missing.Stderr);
    }

    [Fact]
    public void TheSeededSplitKeepsEachLabelsShareAndDependsOnlyOnTheSeed()
    {
        var rows = Enumerable.Range(0, 100).Select(i => new LabeledText("", "", "a", $"a{i}"))
            .Concat(Enumerable.Range(0, 30).Select(i => new LabeledText("", "", "b", $"b{i}"))).ToList();
        var split = SeededSplit.TrainValidTest(rows, 0.1, 0.2, seed: 7);
        Assert.Equal(rows.Count, split.Count);
        Assert.Equal(rows.Select(r => r.Text).Order(), split.Select(r => r.Text).Order()); // every text once
        Assert.Equal(20, split.Count(r => r.Label == "a" && r.Fold == "test"));
        Assert.Equal(10, split.Count(r => r.Label == "a" && r.Fold == "valid"));
        Assert.Equal(6, split.Count(r => r.Label == "b" && r.Fold == "test"));
        Assert.Equal(3, split.Count(r => r.Label == "b" && r.Fold == "valid"));
        Assert.Equal(split, SeededSplit.TrainValidTest(rows, 0.1, 0.2, seed: 7));
        Assert.NotEqual(split.Where(r => r.Fold == "test").Select(r => r.Text), SeededSplit.TrainValidTest(rows, 0.1, 0.2, seed: 8).Where(r => r.Fold == "test").Select(r => r.Text));
        var folds = SeededSplit.Folds(rows, 10, seed: 7);
        Assert.All(folds.GroupBy(r => r.Fold), g => Assert.Equal(13, g.Count()));
        Assert.Throws<ArgumentException>(() => SeededSplit.TrainValidTest(rows, 0.5, 0.5, seed: 7));
    }
    /// <summary>
    /// --tokenizer char: texts of Han characters drawn from two sets. The word tokenizer makes each run of Han characters
    /// one word, so every held-out text is unknown and it scores at chance; characters carry the label. The runtime
    /// classifies with the model's character tokenizer.
    /// </summary>
    [Fact]
    public void CharacterTokensClassifyHanTextThatWordsCannot()
    {
        using var dir = new TempDirectory();
        const string first = "山水云月风花雪江", second = "金木火土石铁铜银";
        var random = new Random(3);
        string Text(string set) => string.Concat(Enumerable.Range(0, 6).Select(_ => set[random.Next(set.Length)]));
        var lines = new List<string> { "fold\tsource\tlabel\ttext" };
        foreach (var (fold, count) in new[] { ("train", 60), ("valid", 20), ("test", 20) })
            for (int i = 0; i < count; i++)
            {
                lines.Add($"{fold}\than\tnature\t{Text(first)}");
                lines.Add($"{fold}\than\tmetal\t{Text(second)}");
            }
        File.WriteAllLines(dir.File("han.tsv"), lines);
        double Accuracy(CliRunner.Result run)
        {
            Assert.True(run.ExitCode == 0, run.Stderr);
            var match = System.Text.RegularExpressions.Regex.Match(run.Stdout, @"LSTM [^;]*all (\d\.\d+)");
            Assert.True(match.Success, run.Stdout);
            return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        CliRunner.Result Run(string output, params string[] extra) => CliRunner.RunTrainer(["classify", "--data", dir.File("han.tsv"), "--test-fold", "test",
            "--valid-fold", "valid", "--embedding-dim", "8", "--hidden-size", "8", "--epochs", "20", "--dropout", "0.1", "--min-count", "1", "--threads", "1", "-q", "-o", output, .. extra]);
        double chars = Accuracy(Run(dir.File("c.safetensors"), "--tokenizer", "char"));
        double words = Accuracy(Run(dir.File("w.safetensors")));
        Assert.True(chars >= 0.9, $"characters: test accuracy {chars}");
        Assert.True(words <= 0.7, $"words: test accuracy {words}");

        var classified = CliRunner.Run("classify", "--model", dir.File("c.safetensors"), "铁石金铜", "雪月风花");
        Assert.True(classified.ExitCode == 0, classified.Stderr);
        string[] output = classified.Stdout.Trim().Split('\n');
        Assert.StartsWith("metal\t", output[0]);
        Assert.StartsWith("nature\t", output[1]);

        var refused = CliRunner.RunTrainer("classify", "--data", dir.File("han.tsv"), "--tokenizer", "bytes", "-o", dir.File("x.safetensors"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--tokenizer must be word or char, got 'bytes'", refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stderr);
    }
}
