using System.Text.RegularExpressions;

namespace EdgeLstm.Tests;

/// <summary>The `edgelstm` binary end to end: outputs, and exit codes plus one-line messages for bad input.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _model;
    private readonly long _libTorchParameters;

    public CliTests()
    {
        TorchFixture.Init(seed: 21);
        var tokenizer = CharTokenizer.FromText(TestTexts.English(2000, seed: 4));
        var network = TaskNetworks.Create<LanguageModelNetwork>(LanguageModelNetwork.Describe(tokenizer, 8, 24, 2), dropout: 0);
        foreach (var p in network.parameters()) _libTorchParameters += p.numel();
        _model = _dir.File("tiny.safetensors");
        TaskNetworks.Save(_model, network);
    }

    public void Dispose() => _dir.Dispose();

    private static void AssertUserError(CliRunner.Result result, int exitCode, string expected)
    {
        Assert.Equal(exitCode, result.ExitCode);
        string message = result.Stderr.TrimEnd('\n');
        Assert.DoesNotContain('\n', message);          // one line
        Assert.DoesNotContain("   at ", message);       // no stack trace
        Assert.StartsWith("error: ", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("convert", "model.safetensors", "-o", "model.elstm")]
    [InlineData("inspect", "--model", "model.elstm", "--text", "t.txt")]
    public void DeviceToolSendsWorkstationVerbsToEdgelstmDevInOneLine(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode); // a usage error
        Assert.Contains($"run `edgelstm-dev {args[0]}", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Equal(0, CliRunner.RunDev(args[0], "--help").ExitCode);
    }

    [Fact]
    public void GenerateStreamsTheSameTextForTheSameSeed()
    {
        var a = CliRunner.Run("generate", "--model", _model, "--prompt", "the ", "--max-chars", "50", "--seed", "3", "--top-k", "5");
        var b = CliRunner.Run("generate", "--model", _model, "--prompt", "the ", "--max-chars", "50", "--seed", "3", "--top-k", "5");
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(a.Stdout, b.Stdout);
        Assert.StartsWith("the ", a.Stdout);
        Assert.Equal(4 + 50, a.Stdout.TrimEnd('\n').Length);
    }

    [Fact]
    public void EvalPrintsTheRuntimesBitsPerChar()
    {
        string text = TextFile("text.txt", 800, seed: 5);
        var result = CliRunner.Run("eval", "--model", _model, text);
        Assert.Equal(0, result.ExitCode);
        var model = FloatLstmModel.Load(_model);
        double expected = BitsPerCharEvaluator.Evaluate(model, model.Tokenizer.Encode(File.ReadAllText(text)));
        double printed = double.Parse(Regex.Match(result.Stdout, @"^(\d+\.\d+) bits/char").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(printed - expected, -1e-4, 1e-4);
    }

    [Fact]
    public void InfoDescribesTheArchitecture()
    {
        var result = CliRunner.Run("info", "--model", _model);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("LSTM 8→24 → LSTM 24→24", result.Stdout);
        Assert.Contains($"parameters:   {_libTorchParameters:N0}\n", result.Stdout);
        string kernels = Regex.Match(result.Stdout, @"kernels:      (\S+)\n").Groups[1].Value;
        Assert.Contains(kernels, LstmKernels.All.Where(k => k.Supported).Select(k => k.Name));
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.NotEqual("scalar", kernels);
        Assert.DoesNotContain("warning:", result.Stdout);
        // The variant the CLI names is the one it runs: forcing one through the environment changes the line.
        var forced = CliRunner.RunWithEnvironment(new Dictionary<string, string> { [LstmKernels.EnvironmentVariable] = "scalar" }, "info", "--model", _model);
        Assert.Contains("kernels:      scalar\n", forced.Stdout);
        // A list forces the first variant exact for the file's weights: a 7-bit-only one is passed over for 8 bits.
        if (Int8DotAvx512BwSevenBit.IsSupported)
        {
            var listed = CliRunner.RunWithEnvironment(new Dictionary<string, string> { [LstmKernels.EnvironmentVariable] = $"{Int8DotAvx512BwSevenBit.Name},scalar" }, "info", "--model", _model);
            Assert.Contains("kernels:      scalar\n", listed.Stdout);
        }
    }

    [Fact]
    public void MissingModelFileExitsWithFileError() =>
        AssertUserError(CliRunner.Run("info", "--model", _dir.File("absent.safetensors")), 3, "absent.safetensors: no such file");

    [Fact]
    public void CorruptModelExitsWithInvalidModel()
    {
        byte[] bytes = File.ReadAllBytes(_model);
        string cut = _dir.File("cut.safetensors");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 100)]);
        AssertUserError(CliRunner.Run("generate", "--model", cut), 4, "cut.safetensors: tensor");
    }

    [Fact]
    public void BadOptionValueExitsWithUsageError() =>
        AssertUserError(CliRunner.Run("generate", "--model", _model, "--temperature", "hot"), 2, "--temperature");

    [Fact]
    public void OutOfRangeOptionExitsWithUsageError() =>
        AssertUserError(CliRunner.Run("generate", "--model", _model, "--top-p", "1.5"), 2, "--top-p must be in (0, 1]");

    [Fact]
    public void PromptOutsideTheVocabularyExitsWithUsageError() =>
        AssertUserError(CliRunner.Run("generate", "--model", _model, "--prompt", "the 鯨"), 2, "U+9BE8");

    [Fact]
    public void UnknownOptionExitsWithUsageError() =>
        AssertUserError(CliRunner.Run("generate", "--model", _model, "--frobnicate"), 2, "--frobnicate");

    /// <summary>`edgelstm-dev convert` of the test model to <paramref name="output"/>, which must succeed.</summary>
    private CliRunner.Result Convert(string output, params string[] options)
    {
        var result = CliRunner.RunDev(["convert", _model, "-o", output, .. options]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        return result;
    }

    /// <summary>A file of <paramref name="chars"/> characters of English-like test text.</summary>
    private string TextFile(string name, int chars, int seed)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, TestTexts.English(chars, seed));
        return path;
    }

    [Fact]
    public void ConvertWritesAnInt8ModelThatGeneratesAndReportsItsCost()
    {
        string output = _dir.File("tiny.elstm");
        var result = Convert(output, "--valid", TextFile("valid.txt", 600, seed: 6));
        Assert.Matches(@"output: .*tiny\.elstm  [\d,]+ bytes \(elstm int8(, 7-bit weights)?\), \d+\.\d% of the input", result.Stdout);
        Assert.Matches(@"weights: [78]-bit \(auto: ", result.Stdout); // --weight-bits auto weighed 7 bits on --valid
        Assert.Matches(@"bits/char on 600 validation characters: float \d+\.\d{4} → converted \d+\.\d{4}", result.Stdout);
        var generated = CliRunner.Run("generate", "--model", output, "--prompt", "the ", "-n", "20");
        Assert.Equal(0, generated.ExitCode);
        Assert.Contains("weights int8-symmetric-per-row", CliRunner.Run("info", "--model", output).Stdout);
    }

    [Fact]
    public void ConvertWithCalibrationWritesStaticActivationScales()
    {
        string output = _dir.File("static.elstm"), text = TextFile("calib.txt", 800, seed: 7);
        var result = Convert(output, "--calib", text);
        Assert.Contains("static activation scales", result.Stdout);
        Assert.Contains("activations static-per-layer", CliRunner.Run("info", "--model", output).Stdout);
        Assert.Equal(0, CliRunner.Run("generate", "--model", output, "--prompt", "the ", "-n", "20").ExitCode);
        AssertUserError(CliRunner.RunDev("convert", _model, "-o", _dir.File("f.elstm"), "--calib", text, "--dtype", "f32"), 2, "--calib");
    }

    [Fact]
    public void ConvertKeepsAnExistingOutputUnlessForced()
    {
        string output = _dir.File("keep.elstm");
        File.WriteAllText(output, "precious");
        AssertUserError(CliRunner.RunDev("convert", _model, "-o", output), 3, "pass --force");
        Assert.Equal("precious", File.ReadAllText(output));
        Assert.Equal(0, CliRunner.RunDev("convert", _model, "-o", output, "--force").ExitCode);
        Assert.NotEqual("precious", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void ConvertRejectsBadOptionsWithoutWritingAnything()
    {
        string output = _dir.File("never.elstm");
        AssertUserError(CliRunner.RunDev("convert", _model, "-o", output, "--prune", "block:2"), 2, "--prune");
        AssertUserError(CliRunner.RunDev("convert", _model, "-o", output, "--dtype", "int4"), 2, "int4");
        AssertUserError(CliRunner.RunDev("convert", _model, "-o", output, "--prune", "block:0.5"), 2, "divisible by 16"); // 24-unit model
        Assert.False(File.Exists(output));
    }
}
