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
}
