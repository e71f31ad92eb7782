namespace EdgeLstm.Tests;

/// <summary>
/// Every `edgelstm` verb on every model kind the runtime loads (character or sequence model; float safetensors,
/// int8 .elstm, f32 .elstm): each runs, or refuses in one line that names the model's task. And inputs that are
/// not what they claim: unused tensors, invalid UTF-8, files of neither format.
/// </summary>
public sealed class CliModelKindTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertUserError(CliRunner.Result result, int exitCode, params string[] expected)
    {
        Assert.True(exitCode == result.ExitCode, $"exit code {result.ExitCode}, expected {exitCode}: {result.Stderr}");
        string message = result.Stderr.TrimEnd('\n');
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("   at ", message);
        Assert.StartsWith("error: ", message);
        foreach (string part in expected) Assert.Contains(part, message);
    }

    private static void AssertSuccess(CliRunner.Result result, string what) =>
        Assert.True(result.ExitCode == 0, $"{what}: exit code {result.ExitCode}: {result.Stderr}");

    /// <summary>The nine kinds: float safetensors, int8 .elstm and f32 .elstm of a character, a sequence and a classifier model.</summary>
    private List<(string Path, string Task)> ModelKinds()
    {
        string charModel = _dir.File("char.safetensors");
        var tiny = TinyModels.Create(layers: 2, hidden: 16, embedding: 8, seed: 3);
        SafeTensorsWriter.Write(charModel, ModelConverter.FloatTensors(tiny), new Dictionary<string, string>
        {
            [ModelMetadataKeys.Task] = Tasks.CharLm,
            [ModelMetadataKeys.Vocabulary] = ((CharTokenizer)tiny.Tokenizer).ToJson(),
        });
        string sequenceModel = _dir.File("sequence.safetensors");
        var (tensors, metadata) = TinyModels.SequenceTensors(seed: 4);
        SafeTensorsWriter.Write(sequenceModel, tensors, metadata);
        string classifier = _dir.File("classifier.safetensors");
        TinyModels.Save(TinyModels.Classifier(seed: 6), classifier);
        var kinds = new List<(string, string)>();
        foreach (var (path, task) in new[] { (charModel, Tasks.CharLm), (sequenceModel, Tasks.Sequence), (classifier, Tasks.Classify) })
        {
            kinds.Add((path, task));
            foreach (string dtype in new[] { "int8", "f32" })
            {
                string output = Path.ChangeExtension(path, $"{dtype}.elstm");
                AssertSuccess(CliRunner.RunDev("convert", path, "-o", output, "--dtype", dtype), $"convert {path} to {dtype}");
                kinds.Add((output, task));
            }
        }
        return kinds;
    }

    [Fact]
    public void EveryVerbRunsOrRefusesInOneLineOnEveryModelKind()
    {
        string text = _dir.File("text.txt");
        File.WriteAllText(text, TinyModels.Text);
        string labelled = _dir.File("labelled.tsv");
        File.WriteAllText(labelled, "label\ttext\npositive\ta good film\nnegative\ta bad film\nnegative\tthe sea\n");
        foreach (var (model, task) in ModelKinds())
        {
            string name = Path.GetFileName(model);
            bool isText = task == Tasks.CharLm, isClassifier = task == Tasks.Classify;
            var info = CliRunner.Run("info", "--model", model);
            AssertSuccess(info, $"info {name}");
            Assert.Contains($"task:         {task}\n", info.Stdout);
            Assert.Contains(isText ? "architecture: char tokens → embedding "
                : isClassifier ? "architecture: word tokens → embedding 18×8 → BiLSTM 8→32 → max pooling → linear 32→2\n"
                : "architecture: input vectors of 3 → LSTM 3→16", info.Stdout);

            var generate = CliRunner.Run("generate", "--model", model, "--prompt", "the ", "-n", "10");
            var eval = CliRunner.Run("eval", "--model", model, isClassifier ? labelled : text);
            var classify = CliRunner.Run("classify", "--model", model, "a good film", "the whale");
            if (isClassifier)
            {
                AssertSuccess(classify, $"classify {name}");
                Assert.Matches(@"^(negative|positive)\t0\.\d{3}\ta good film\n(negative|positive)\t0\.\d{3}\tthe whale\n$", classify.Stdout);
                AssertSuccess(eval, $"eval {name}");
                Assert.Contains("on 3 texts of labelled.tsv", eval.Stdout);
                AssertUserError(CliRunner.Run("eval", "--model", model, text), 2, "text.txt", "no 'label' column");
                AssertUserError(generate, 2, name, "'classify' model", "'generate'");
            }
            else
                AssertUserError(classify, 2, name, $"'{task}' model", "'classify'");
            if (isClassifier) { }
            else if (isText)
            {
                AssertSuccess(generate, $"generate {name}");
                Assert.StartsWith("the ", generate.Stdout);
                AssertSuccess(eval, $"eval {name}");
                Assert.Contains("bits/char", eval.Stdout);
            }
            else
            {
                AssertUserError(generate, 2, name, "'sequence' model", "'generate'");
                AssertUserError(eval, 2, name, "'sequence' model", "'eval'");
            }

            var convert = CliRunner.RunDev("convert", model, "-o", _dir.File("again.elstm"), "--force");
            if (model.EndsWith(".safetensors", StringComparison.Ordinal)) AssertSuccess(convert, $"convert {name}");
            else AssertUserError(convert, 2, name, "already converted");
        }
    }

    [Fact]
    public void UnusedTensorsAreAnErrorUnlessIgnoredByName()
    {
        var (tensors, metadata) = TinyModels.SequenceTensors(seed: 5);
        tensors.Add(new("norm.weight", [16], new float[16]));
        tensors.Add(new("norm.bias", [16], new float[16]));
        string model = _dir.File("extra.safetensors");
        SafeTensorsWriter.Write(model, tensors, metadata);
        AssertUserError(CliRunner.Run("info", "--model", model), 4, "extra.safetensors", "'norm.bias', 'norm.weight'", "--ignore-tensor");
        string output = _dir.File("extra.elstm");
        AssertUserError(CliRunner.RunDev("convert", model, "-o", output, "--ignore-tensor", "norm.weight"), 4, "'norm.bias'");
        Assert.False(File.Exists(output));
        AssertUserError(CliRunner.RunDev("convert", model, "-o", output, "--ignore-tensor", "norm.weight", "--ignore-tensor", "norm.bias", "--ignore-tensor", "norm.gamma"),
            4, "'norm.gamma'", "no such tensor");
        AssertSuccess(CliRunner.RunDev("convert", model, "-o", output, "--ignore-tensor", "norm.weight", "--ignore-tensor", "norm.bias"), "convert ignoring both");
        Assert.Contains("task:         sequence", CliRunner.Run("info", "--model", output).Stdout);
    }

    [Fact]
    public void InvalidUtf8IsNamedWithItsByteOffset()
    {
        string model = _dir.File("char.safetensors");
        var tiny = TinyModels.Create(layers: 1, hidden: 8, embedding: 4, seed: 6);
        SafeTensorsWriter.Write(model, ModelConverter.FloatTensors(tiny), new Dictionary<string, string> { [ModelMetadataKeys.Vocabulary] = ((CharTokenizer)tiny.Tokenizer).ToJson() });
        string text = _dir.File("broken.txt");
        File.WriteAllBytes(text, [.. "the whale"u8, 0xC3, 0x28, .. " sea"u8]); // 0xC3 starts a two-byte sequence; '(' cannot continue it
        AssertUserError(CliRunner.Run("eval", "--model", model, text), 2, "broken.txt is not valid UTF-8 at byte 9 (0xC3)");
        File.WriteAllBytes(text, [0xEF, 0xBB, 0xBF, .. "the whale"u8, 0xFF]); // a byte-order mark is fine; offsets count it
        AssertUserError(CliRunner.Run("eval", "--model", model, text), 2, "at byte 12 (0xFF)");
        AssertUserError(CliRunner.RunDev("convert", model, "-o", _dir.File("c.elstm"), "--valid", text), 2, "not valid UTF-8 at byte 12");
    }

    [Fact]
    public void AFileOfNeitherFormatNamesBoth()
    {
        string png = _dir.File("picture.png");
        File.WriteAllBytes(png, [0x89, .. "PNG\r\n\x1a\n"u8, 0, 0, 0, 13, .. "IHDR"u8]);
        AssertUserError(CliRunner.Run("info", "--model", png), 4, "picture.png: not a model file", ".elstm", "safetensors", "89504E47");
        string empty = _dir.File("empty.bin");
        File.WriteAllBytes(empty, []);
        AssertUserError(CliRunner.Run("info", "--model", empty), 4, "empty.bin: not a model file", "the file is empty");
    }
}
