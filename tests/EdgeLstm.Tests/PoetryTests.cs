using EdgeLstm.Runtime.Poetry;
using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Tests;

/// <summary>Poem forms: the check itself, and constrained generation giving the form on a model that knows nothing of it.</summary>
public sealed class PoetryTests
{
    // An untrained model over Han characters, the marks, a Latin letter and the newline: left alone it writes no form.
    private static FloatLstmModel RandomPoetryModel() =>
        TinyModels.Create(layers: 2, hidden: 24, embedding: 8, seed: 3, text: "床前明月光疑是地上霜舉頭望低思故鄉，。a\n𠀀");

    [Fact]
    public void WellFormedMeansLineLengthsAndMarksInPlace()
    {
        Assert.True(PoemForm.Jueju5.IsWellFormed("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。"));
        Assert.Equal(PoemForm.Jueju5, PoemForm.Of("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。"));
        Assert.False(PoemForm.Jueju5.IsWellFormed("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉"));   // the last mark missing
        Assert.False(PoemForm.Jueju5.IsWellFormed("床前明月光。疑是地上霜，舉頭望明月，低頭思故鄉。")); // marks swapped
        Assert.False(PoemForm.Jueju5.IsWellFormed("床前明月，疑是地上霜。舉頭望明月，低頭思故鄉。"));    // a short line
        Assert.False(PoemForm.Jueju5.IsWellFormed("床前明a光，疑是地上霜。舉頭望明月，低頭思故鄉。"));   // not Han
        Assert.True(PoemForm.Jueju5.IsWellFormed("床前明𠀀光，疑是地上霜。舉頭望明月，低頭思故鄉。"));   // a supplementary-plane character is one
        Assert.Null(PoemForm.Of("床前明月光，疑是地上霜。"));
        Assert.Equal(8 * 8, PoemForm.Lushi7.Length);
        Assert.Throws<ArgumentException>(() => PoemForm.Parse("jueju9"));
    }

    [Theory]
    [InlineData("jueju5")]
    [InlineData("jueju7")]
    [InlineData("lushi5")]
    [InlineData("lushi7")]
    public void ConstrainedPoemsAlwaysHaveTheForm(string name)
    {
        PoemForm form = PoemForm.Parse(name);
        using var session = RandomPoetryModel().CreateSession();
        var generator = new PoemGenerator(session);
        int freeWellFormed = 0;
        for (ulong seed = 1; seed <= 40; seed++)
        {
            string poem = generator.Generate("", form, new TokenSampler(new SamplingOptions(1.0f, 0, 1f, seed)));
            Assert.True(form.IsWellFormed(poem), $"seed {seed}: {poem}");
            if (form.IsWellFormed(generator.Generate("", null, new TokenSampler(new SamplingOptions(1.0f, 0, 1f, seed))))) freeWellFormed++;
        }
        Assert.True(freeWellFormed < 40, "the untrained model wrote the form unconstrained every time: the test would not see the constraint work");
        string prompted = generator.Generate("床前", form, new TokenSampler(new SamplingOptions(1.0f, 0, 1f, 9)));
        Assert.StartsWith("床前", prompted);
        Assert.True(form.IsWellFormed(prompted));
    }

    [Fact]
    public void PromptThatCannotStartTheFormIsRefused()
    {
        using var session = RandomPoetryModel().CreateSession();
        var e = Assert.Throws<ArgumentException>(() => new PoemGenerator(session).Generate("床前明月光。", PoemForm.Jueju5, new TokenSampler(new SamplingOptions())));
        Assert.Contains("jueju5", e.Message);
    }

    [Fact]
    public void FreePoemsEndAtTheModelsNewline()
    {
        using var session = RandomPoetryModel().CreateSession();
        var generator = new PoemGenerator(session);
        for (ulong seed = 1; seed <= 20; seed++)
        {
            string poem = generator.Generate("", null, new TokenSampler(new SamplingOptions(1.0f, 0, 1f, seed)), maxChars: 50);
            Assert.DoesNotContain('\n', poem);
            Assert.True(poem.EnumerateRunes().Count() <= 50);
        }
    }
}
