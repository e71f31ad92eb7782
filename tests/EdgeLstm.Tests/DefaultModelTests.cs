using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Tests;

/// <summary>The committed default model, measured by the runtime on the held-out test chapters.</summary>
public sealed class DefaultModelTests
{
    private static string RepoFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeLstm.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, "EdgeLstm.sln not found above the test binaries");
        return Path.Combine([dir.FullName, .. parts]);
    }

    [Fact]
    public void DefaultModelScoresAtMostTwoBitsPerCharOnTheTestSplit()
    {
        string testText = RepoFile(".cache", "moby-dick", "test.txt");
        Assert.True(File.Exists(testText), $"{testText} is missing: run `./build.sh data` (./build.sh test does it)");
        var model = FloatLstmModel.Load(RepoFile("runtime", "models", "moby-dick-char.safetensors"));
        double bitsPerChar = BitsPerCharEvaluator.Evaluate(model, model.Tokenizer.Encode(File.ReadAllText(testText)));
        Assert.True(bitsPerChar <= 2.0, $"default model: {bitsPerChar:F4} bits/char on the test split");
    }
}
