using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Tests;

public sealed class SessionTests
{
    private static FloatLstmModel RandomModel(TempDirectory dir, string text = "the whale and the sea")
    {
        TorchFixture.Init(seed: 9);
        var tokenizer = CharTokenizer.FromText(text);
        var network = TaskNetworks.Create<LanguageModelNetwork>(LanguageModelNetwork.Describe(tokenizer, 6, 16, 2), dropout: 0);
        string path = dir.File("m.safetensors");
        TaskNetworks.Save(path, network);
        return FloatLstmModel.Load(path);
    }

    [Fact]
    public void SnapshotAndRestoreReplayTheSameLogits()
    {
        using var dir = new TempDirectory();
        var session = RandomModel(dir).CreateSession();
        foreach (int t in new[] { 1, 2, 3 }) session.Step(t);
        var snapshot = session.Snapshot();
        float[] first = session.Step(4).ToArray();
        session.Step(5);
        session.Restore(snapshot);
        Assert.Equal(first, session.Step(4).ToArray());
    }

    [Fact]
    public void ResetMatchesAFreshSession()
    {
        using var dir = new TempDirectory();
        var model = RandomModel(dir);
        var used = model.CreateSession();
        used.Step(3);
        used.Step(1);
        used.Reset();
        Assert.Equal(model.CreateSession().Step(2).ToArray(), used.Step(2).ToArray());
    }

    [Fact]
    public void GenerationIsDeterministicForASeedAndHonoursStopAndLength()
    {
        using var dir = new TempDirectory();
        var model = RandomModel(dir);
        string Run(ulong seed, int max, string? stop = null) =>
            string.Concat(TextGenerator.Generate(model.CreateSession(), "the", new SamplingOptions(1.0f, Seed: seed), max, stop));
        Assert.Equal(Run(1, 60), Run(1, 60));
        Assert.NotEqual(Run(1, 60), Run(2, 60));
        Assert.Equal(60, Run(3, 60).EnumerateRunes().Count());
        string full = Run(4, 200);
        int cut = full.IndexOf(' ');
        Assert.True(cut >= 0, "the sample never produced a space");
        Assert.Equal(full[..(cut + 1)], Run(4, 200, stop: " "));
    }

    [Fact]
    public void PromptOutsideTheVocabularyIsAUserError()
    {
        using var dir = new TempDirectory();
        var model = RandomModel(dir);
        var error = Assert.Throws<ArgumentException>(() => TextGenerator.Generate(model.CreateSession(), "the Zebra", SamplingOptions.Greedy, 10));
        Assert.Contains("'Z' (U+005A) at position 4", error.Message);
    }
}
