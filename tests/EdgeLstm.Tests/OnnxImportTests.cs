using System.Text.Json;
using EdgeLstm.Converter.Onnx;
using Google.Protobuf;
using Xunit.Abstractions;

namespace EdgeLstm.Tests;

/// <summary>
/// ONNX files exported by real PyTorch (tests/onnx/make_fixtures.py, committed under tests/onnx/fixtures) import
/// onto the model description, and our float runner gives PyTorch's own outputs; int8 conversion stays close; an
/// unsupported operator, a truncated or a mutated file gives a one-line <see cref="ModelFormatException"/>.
/// </summary>
public sealed class OnnxImportTests(ITestOutputHelper output)
{
    private static readonly string[] Names = ["char_lm_2layer", "bilstm_tagger", "lstm_seq_first", "bilstm_2layer_seq_first"];
    public static readonly TheoryData<string> Fixtures = new(Names);

    private static string FixturePath(string file) => Path.Combine(ClassifierTests.RepoRoot(), "tests", "onnx", "fixtures", file);

    private static FloatLstmModel Import(string name) =>
        OnnxModelImporter.Import(FixturePath(name + ".onnx"), FixturePath(name + ".description.json"));

    private static (int[][] Tokens, float[][] Outputs) Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath(name + ".expected.json")));
        int[][] tokens = doc.RootElement.GetProperty("tokens").EnumerateArray().Select(s => s.EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToArray();
        float[][] outputs = doc.RootElement.GetProperty("outputs").EnumerateArray().Select(s => s.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        return (tokens, outputs);
    }

    /// <summary>The largest |ours − PyTorch| over every fixture sequence, and the largest |PyTorch| output.</summary>
    private static (double Diff, double Scale) Compare(ILanguageModel model, string name)
    {
        var (tokens, outputs) = Expected(name);
        Assert.NotEmpty(tokens);
        using var runner = model.CreateRunner();
        double diff = 0, scale = 0;
        for (int s = 0; s < tokens.Length; s++)
        {
            float[] ours = runner.Run(tokens[s]).ToArray();
            Assert.Equal(outputs[s].Length, ours.Length);
            for (int i = 0; i < ours.Length; i++)
            {
                diff = Math.Max(diff, Math.Abs(ours[i] - outputs[s][i]));
                scale = Math.Max(scale, Math.Abs(outputs[s][i]));
            }
        }
        return (diff, scale);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FloatOutputsEqualPyTorch(string name)
    {
        var model = Import(name);
        var (diff, scale) = Compare(model, name);
        output.WriteLine($"{name}: max |ours − PyTorch| = {diff:E2} (outputs up to {scale:F3})");
        Assert.True(diff <= 1e-4, $"{name}: max |ours − PyTorch| = {diff:E2}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Int8ConversionStaysClose(string name)
    {
        var model = Import(name);
        byte[] bytes = CompactModelBuilder.Build(model, WeightType.Int8, blockSparse: false, "none", name + ".onnx");
        using ILanguageModel int8 = CompactModelLoader.Load(ModelFileReader.Parse(bytes, name + ".elstm"));
        var (diff, scale) = Compare(int8, name);
        output.WriteLine($"{name}: int8 max |ours − PyTorch| = {diff:E2} (outputs up to {scale:F3})");
        Assert.True(diff <= 0.02 * scale, $"{name}: int8 max |ours − PyTorch| = {diff:E2}, outputs up to {scale:F3}");
    }

    /// <summary>The converter's whole path (`edgelstm-dev convert model.onnx --description`): an .elstm that loads and matches.</summary>
    [Fact]
    public void ConvertWritesAnElstmFromOnnx()
    {
        using var dir = new TempDirectory();
        var report = ModelConverter.Convert(new ConvertOptions
        {
            Input = FixturePath("bilstm_tagger.onnx"),
            Description = FixturePath("bilstm_tagger.description.json"),
            Output = dir.File("tagger.elstm"),
        });
        Assert.Contains("float32 ONNX", report.ToString());
        using ILanguageModel loaded = ModelLoader.Load(dir.File("tagger.elstm"));
        Assert.Equal(HeadKinds.Tag, loaded.Description.Head.Kind);
        Assert.True(Compare(loaded, "bilstm_tagger").Diff < 0.05);
        var missing = Assert.Throws<ArgumentException>(() => ModelConverter.Convert(new ConvertOptions { Input = FixturePath("bilstm_tagger.onnx"), Output = dir.File("x.elstm") }));
        Assert.Contains("--description", missing.Message);
    }

    private static Onnx.ModelProto Proto(string name) => Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(FixturePath(name + ".onnx")));

    private static ModelFormatException ImportError(Onnx.ModelProto proto, string name)
    {
        var description = ModelDescription.FromJson(File.ReadAllText(FixturePath(name + ".description.json")), "description");
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelImporter.Import(proto.ToByteArray(), name + ".onnx", description));
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void UnsupportedOperatorIsOneLineNamingTheNode()
    {
        var proto = Proto("char_lm_2layer");
        var add = proto.Graph.Node.Single(n => n.OpType == "Add");
        add.OpType = "Mul";
        var e = ImportError(proto, "char_lm_2layer");
        Assert.StartsWith($"char_lm_2layer.onnx: node '{add.Name}' (Mul): operator not supported", e.Message);
    }

    [Fact]
    public void UnsupportedUsesOfKnownOperatorsSayWhy()
    {
        var reverse = Proto("lstm_seq_first");
        var lstm = reverse.Graph.Node.Single(n => n.OpType == "LSTM");
        lstm.Attribute.Add(new Onnx.AttributeProto { Name = "direction", Type = Onnx.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("reverse") });
        Assert.Contains($"node '{lstm.Name}' (LSTM): a reverse-only LSTM is not supported", ImportError(reverse, "lstm_seq_first").Message);

        var clipped = Proto("lstm_seq_first");
        clipped.Graph.Node.Single(n => n.OpType == "LSTM").Attribute.Add(new Onnx.AttributeProto { Name = "clip", Type = Onnx.AttributeProto.Types.AttributeType.Float, F = 3 });
        Assert.Contains("(LSTM): clip (cell clipping) is not supported", ImportError(clipped, "lstm_seq_first").Message);

        // The final state as a second graph output (forward returning (logits, h_n)).
        var twoOutputs = Proto("lstm_seq_first");
        twoOutputs.Graph.Output.Add(new Onnx.ValueInfoProto { Name = twoOutputs.Graph.Node.Single(n => n.OpType == "LSTM").Output[1] });
        Assert.Contains("the graph has 2 outputs", ImportError(twoOutputs, "lstm_seq_first").Message);
    }

    [Fact]
    public void DescriptionMustMatchTheGraph()
    {
        var wrong = ModelDescription.FromJson(File.ReadAllText(FixturePath("bilstm_tagger.description.json")), "d") is var d
            ? d with { Encoder = [new EncoderLayerDescription { Hidden = 12, Bidirectional = false }] }
            : null!;
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelImporter.Import(File.ReadAllBytes(FixturePath("bilstm_tagger.onnx")), "bilstm_tagger.onnx", wrong, "tagger.json"));
        Assert.StartsWith("tagger.json: encoder[0] is hidden 12;", e.Message);
    }

    /// <summary>Every truncation and thousands of byte mutations of each fixture: an import or a one-line ModelFormatException, nothing else.</summary>
    [Fact]
    public void TruncatedAndMutatedFilesGiveTypedErrors()
    {
        var random = new Random(36);
        int rejected = 0, accepted = 0;
        foreach (string name in Names)
        {
            byte[] bytes = File.ReadAllBytes(FixturePath(name + ".onnx"));
            var description = ModelDescription.FromJson(File.ReadAllText(FixturePath(name + ".description.json")), "description");
            var cases = new List<(byte[] File, string How)>();
            for (int length = 0; length < bytes.Length; length += 1 + length / 64) cases.Add((bytes[..length], $"truncated to {length}"));
            for (int i = 0; i < 3000; i++)
            {
                byte[] mutated = (byte[])bytes.Clone();
                int flips = 1 + random.Next(4);
                for (int f = 0; f < flips; f++) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                cases.Add((mutated, $"mutation {i}"));
            }
            foreach (var (file, how) in cases)
            {
                try
                {
                    var model = OnnxModelImporter.Import(file, name + ".onnx", description);
                    using var runner = model.CreateRunner();
                    runner.Run([1, 2, 1]);
                    accepted++;
                }
                catch (ModelFormatException e)
                {
                    Assert.DoesNotContain('\n', e.Message);
                    rejected++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"{name} {how}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        output.WriteLine($"{rejected} rejected with a ModelFormatException, {accepted} imported");
        Assert.True(rejected > 1000);
    }
}
