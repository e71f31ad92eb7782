namespace EdgeLstm.Tests;

/// <summary>`convert --max-loss`: on the default character model and the committed sentiment classifier it writes the smallest variant within the loss.</summary>
public sealed class VariantSearchTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertPickedTheSmallestWithinTheLoss(VariantSearchReport report, double maxLoss, string output)
    {
        Assert.NotNull(report.Chosen);
        Assert.True(report.Chosen!.Loss <= maxLoss, $"chosen {report.Chosen.Name} loses {report.Chosen.Loss}");
        foreach (var v in report.Variants)
        {
            Assert.Equal(v.Loss <= maxLoss, v.Kept);
            if (v.Kept) Assert.True(report.Chosen.Bytes <= v.Bytes, $"{v.Name} ({v.Bytes} bytes) is smaller than the chosen {report.Chosen.Name}");
        }
        Assert.Contains(report.Variants, v => !v.Kept || v.Name != report.Chosen.Name); // more than one variant was weighed
        Assert.Equal(report.Chosen.Bytes, new FileInfo(output).Length);
        using var model = CompactModelLoader.Load(output); // what was written loads
    }

    [Fact]
    public void DefaultCharacterModelGetsTheSmallestVariantWithinTheLoss()
    {
        string output = _dir.File("moby.elstm");
        var options = new ConvertOptions
        {
            Input = Arm64BitIdentityTests.RepoPath("runtime", "models", "moby-dick-char.safetensors"), Output = output,
            ValidText = Arm64BitIdentityTests.RepoPath(".cache", "moby-dick", "valid.txt"), EvalChars = 3000,
        };
        var loose = VariantSearch.Run(options, maxLoss: 0.05, Objective.Size);
        AssertPickedTheSmallestWithinTheLoss(loose, 0.05, output);
        Assert.Equal(7, loose.Variants.Count); // f32, int8 with 8- and 7-bit weights, int4, three prunings: the character model steps, so units too
        Assert.Equal("int4", loose.Chosen!.Name); // the smallest file, +0.01 bits/char
        Assert.Contains(loose.Variants, v => !v.Kept); // 50% block pruning without fine-tuning costs more than 0.05 bits/char
        Assert.True(loose.Chosen!.Bytes < loose.Variants.First(v => v.Name == "f32").Bytes / 3);
        // Nothing but the float weights keep the metric exactly: the bound decides.
        var strict = VariantSearch.Run(options with { Force = true }, maxLoss: 0, Objective.Size);
        AssertPickedTheSmallestWithinTheLoss(strict, 0, output);
        Assert.True(strict.Chosen!.Bytes >= loose.Chosen.Bytes);
    }

    [Fact]
    public void ClassifierGetsAVariantByAccuracyAndRefusesWithoutValidation()
    {
        string output = _dir.File("sentiment.elstm");
        var options = new ConvertOptions
        {
            Input = Arm64BitIdentityTests.RepoPath("runtime", "models", "sentiment.safetensors"), Output = output,
            ValidText = Arm64BitIdentityTests.RepoPath(".cache", "sentiment", "sentiment.tsv"), ValidFold = "1",
        };
        var report = VariantSearch.Run(options, maxLoss: 0.01, Objective.Size);
        Assert.Equal("accuracy", report.MetricName);
        Assert.Equal(6, report.Variants.Count); // f32, int8 8-/7-bit, int4, two prunings: a BiLSTM classifier cannot be narrowed by units
        AssertPickedTheSmallestWithinTheLoss(report, 0.01, output);
        var e = Assert.Throws<ArgumentException>(() => VariantSearch.Run(options with { ValidText = null, Force = true }, 0.01, Objective.Size));
        Assert.Contains("--valid", e.Message);
        Assert.Throws<IOException>(() => VariantSearch.Run(options, 0.01, Objective.Size)); // the output exists, no --force
    }

    [Fact]
    public void ForecasterListsAPruningItsShapesDoNotAllowAndPicksByLatency()
    {
        string output = _dir.File("births.elstm");
        var options = new ConvertOptions
        {
            Input = Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.safetensors"), Output = output,
            ValidText = Arm64BitIdentityTests.RepoPath(".cache", "forecast", "births.csv"),
        };
        var report = VariantSearch.Run(options, maxLoss: 2, Objective.Latency);
        Assert.StartsWith("MAE", report.MetricName);
        var block = Assert.Single(report.Variants, v => v.Name == "int8 block:0.5:row");
        Assert.False(block.Kept);
        Assert.StartsWith("not built: ", block.Why); // 26 input columns are not blocks of 16
        Assert.NotNull(report.Chosen);
        foreach (var v in report.Variants.Where(v => v.Kept))
            Assert.True(report.Chosen!.MicrosecondsPerStep <= v.MicrosecondsPerStep);
        Assert.Equal(report.Chosen!.Bytes, new FileInfo(output).Length);
    }
}
