using EdgeLstm.Runtime.Poetry;

namespace EdgeLstm.Tests;

/// <summary>`edgelstm generate --form`, `tag` and `eval` on poetry and punctuation models (tiny, random weights), and their one-line refusals.</summary>
public sealed class CliTextTaskTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertUserError(CliRunner.Result result, params string[] expected)
    {
        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}, expected 2: {result.Stderr}");
        string message = result.Stderr.TrimEnd('\n');
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith("error: ", message);
        foreach (string part in expected) Assert.Contains(part, message);
    }

    private string PoetryModel()
    {
        string path = _dir.File("poetry.safetensors");
        TinyModels.Save(TinyModels.Create(layers: 1, hidden: 16, embedding: 8, seed: 5, text: "床前明月光疑是地上霜舉頭望低思故鄉，。\n"), path);
        return path;
    }

    private string Tagger()
    {
        string path = _dir.File("tagger.safetensors");
        TinyModels.Save(TinyModels.FromDescription(new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = 8, Tokenizer = CharTokenizer.FromText("春花秋月何时了往事知多少").ToDescription() },
            Encoder = [new EncoderLayerDescription { Hidden = 8, Bidirectional = true }],
            Head = new HeadDescription { Kind = HeadKinds.Tag, Size = 3, Labels = [PunctuationTags.None, "，", "。"] },
        }, seed: 2), path);
        return path;
    }

    [Fact]
    public void GenerateWithAFormWritesTheFormACoupletALine()
    {
        string model = PoetryModel();
        foreach (string form in new[] { "jueju5", "lushi7" })
        {
            var result = CliRunner.Run("generate", "--model", model, "--form", form, "--seed", "3");
            Assert.True(result.ExitCode == 0, result.Stderr);
            string[] couplets = result.Stdout.TrimEnd('\n').Split('\n');
            Assert.Equal(PoemForm.Parse(form).Lines / 2, couplets.Length);
            Assert.True(PoemForm.Parse(form).IsWellFormed(string.Concat(couplets)), result.Stdout);
        }
        AssertUserError(CliRunner.Run("generate", "--model", model, "--form", "jueju9"), "--form", "jueju5");
        AssertUserError(CliRunner.Run("generate", "--model", model, "--form", "jueju5", "--prompt", "床前明月光。"), "jueju5", "--prompt");
        AssertUserError(CliRunner.Run("generate", "--model", Tagger(), "--form", "jueju5"), "'tag' model");
    }

    [Fact]
    public void TagClassifyAndG2pOnTwoThreadsPrintWhatOneThreadPrints()
    {
        string tagger = _dir.File("tagger.elstm");
        Assert.Equal(0, CliRunner.RunDev("convert", Tagger(), "-o", tagger).ExitCode);
        string[] texts = ["春花秋月何时了往事知多少", "小楼昨夜又东风故国不堪回首月明中春花秋月何时了往事知多少小楼昨夜又东风"];
        var one = CliRunner.Run(["tag", "--model", tagger, "--threads", "1", .. texts]);
        var two = CliRunner.Run(["tag", "--model", tagger, "--threads", "2", .. texts]);
        var auto = CliRunner.Run(["tag", "--model", tagger, .. texts]); // the default, --threads auto
        Assert.True(one.ExitCode == 0 && two.ExitCode == 0 && auto.ExitCode == 0, one.Stderr + two.Stderr + auto.Stderr);
        Assert.Equal(one.Stdout, two.Stdout);
        Assert.Equal(one.Stdout, auto.Stdout);
        string classifier = _dir.File("classifier.safetensors"), int8 = _dir.File("classifier.elstm");
        TinyModels.Save(TinyModels.Classifier(seed: 9), classifier);
        Assert.Equal(0, CliRunner.RunDev("convert", classifier, "-o", int8).ExitCode);
        Assert.Equal(CliRunner.Run("classify", "--model", int8, "--all", "a good film", "the whale").Stdout,
            CliRunner.Run("classify", "--model", int8, "--all", "--threads", "2", "a good film", "the whale").Stdout);
        AssertUserError(CliRunner.Run("tag", "--model", tagger, "--threads", "3", "春花"), "--threads must be auto, 1 or 2, got '3'");
        // eval takes the two-thread runner too: the same scores (only the time per character differs).
        string punctuated = _dir.File("threads-ci.txt");
        File.WriteAllText(punctuated, "春花秋月何时了，往事知多少。\n小楼昨夜又东风，故国不堪回首月明中。\n");
        static string Scores(string stdout) => System.Text.RegularExpressions.Regex.Replace(stdout, @"[\d.]+ µs/char", "");
        var evalOne = CliRunner.Run("eval", "--model", tagger, "--threads", "1", punctuated);
        var evalTwo = CliRunner.Run("eval", "--model", tagger, "--threads", "2", punctuated);
        Assert.True(evalOne.ExitCode == 0 && evalTwo.ExitCode == 0, evalOne.Stderr + evalTwo.Stderr);
        Assert.Equal(Scores(evalOne.Stdout), Scores(evalTwo.Stdout));
        AssertUserError(CliRunner.Run("eval", "--model", tagger, "--threads", "3", punctuated), "--threads must be auto, 1 or 2, got '3'");
        string g2p = Path.Combine(ClassifierTests.RepoRoot(), "runtime", "models", "g2p.elstm");
        string[] words = ["aggravated", "smartphone", "torchsharp", "cat"];
        var alone = CliRunner.Run(["g2p", "--model", g2p, .. words]);
        Assert.True(alone.ExitCode == 0, alone.Stderr);
        Assert.Equal(alone.Stdout, CliRunner.Run(["g2p", "--model", g2p, "--threads", "2", .. words]).Stdout);
    }

    [Fact]
    public void TagRestoresMarksIntoTheTextAndEvalScoresEachMark()
    {
        string tagger = Tagger();
        var result = CliRunner.Run("tag", "--model", tagger, "春花秋月何时了", "往事，知多少。");
        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("春花秋月何时了", lines[0].Replace("，", "").Replace("。", ""));
        Assert.Equal("往事知多少", lines[1].Replace("，", "").Replace("。", "")); // marks in the input are taken out first
        string punctuated = _dir.File("ci.txt");
        File.WriteAllText(punctuated, "春花秋月何时了，往事知多少。\n春花秋月。\n");
        var eval = CliRunner.Run("eval", "--model", tagger, punctuated);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Contains("on 16 characters in 2 lines of ci.txt", eval.Stdout);
        Assert.Matches(@"\n，\s+1\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}\n", eval.Stdout);
        Assert.Matches(@"\n。\s+2\s+", eval.Stdout);
        AssertUserError(CliRunner.Run("tag", "--model", PoetryModel(), "床前"), "'char-lm' model", "'tag'");
        AssertUserError(CliRunner.Run("tag", "--model", tagger), "nothing to tag");
    }
}
