using EdgeLstm.Converter.Onnx;
using Google.Protobuf;
using Xunit.Abstractions;

namespace EdgeLstm.Tests;

/// <summary>
/// ONNX files exported by real PyTorch (tests/onnx/make_fixtures.py, committed under tests/onnx/fixtures) import
/// onto the model description, and our float runner gives PyTorch's own outputs; int8 conversion stays close; an
/// unsupported operator or pooling, a truncated or a mutated file gives a one-line <see cref="ModelFormatException"/>.
/// </summary>
public sealed class OnnxImportTests(ITestOutputHelper output)
{
    public static readonly TheoryData<string> Fixtures = new(OnnxFixtures.Names);

    private static string FixturePath(string file) => OnnxFixtures.FixturePath(file);

    private static FloatLstmModel Import(string name) => OnnxFixtures.Import(name);

    /// <summary>The largest |ours − PyTorch| over every fixture sequence, and the largest |PyTorch| output.</summary>
    private static (double Diff, double Scale) Compare(ILanguageModel model, string name)
    {
        var (tokens, outputs, softmax) = OnnxFixtures.Expected(name);
        Assert.NotEmpty(tokens);
        return OnnxFixtures.MaxDiff(OnnxFixtures.Run(model, tokens, softmax), outputs);
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

    /// <summary>Each fixture's int8 conversion gives the scalar kernels' bits on every kernel variant this CPU runs, near our float outputs.</summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Int8IsBitIdenticalOnEveryKernelVariant(string name)
    {
        var model = Import(name);
        using var int8 = EveryKernel.Convert(model, name + ".elstm");
        var (tokens, _, _) = OnnxFixtures.Expected(name);
        var (diff, scale) = OnnxFixtures.MaxDiff(EveryKernel.RunnerOutputs(int8, tokens), OnnxFixtures.Run(model, tokens, softmax: false));
        output.WriteLine($"{name}: int8 max |int8 − float| = {diff:E2} (outputs up to {scale:F3}) on {LstmKernels.AllSupported().Count()} kernel variants");
        Assert.True(diff > 0 && diff <= 0.02 * scale, $"{name}: int8 max |int8 − float| = {diff:E2}, outputs up to {scale:F3}");
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

    private static Onnx.ModelProto Proto(string name) => OnnxFixtures.Proto(name);

    private static ModelFormatException ImportError(Onnx.ModelProto proto, string name) => OnnxFixtures.ImportError(proto, name);

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
        var sideways = Proto("lstm_seq_first");
        var lstm = sideways.Graph.Node.Single(n => n.OpType == "LSTM");
        lstm.Attribute.Add(new Onnx.AttributeProto { Name = "direction", Type = Onnx.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("sideways") });
        Assert.Contains($"node '{lstm.Name}' (LSTM): direction 'sideways' is not forward, reverse or bidirectional", ImportError(sideways, "lstm_seq_first").Message);

        var clipped = Proto("lstm_seq_first");
        clipped.Graph.Node.Single(n => n.OpType == "LSTM").Attribute.Add(new Onnx.AttributeProto { Name = "clip", Type = Onnx.AttributeProto.Types.AttributeType.Float, F = 3 });
        Assert.Contains("(LSTM): clip (cell clipping) is not supported", ImportError(clipped, "lstm_seq_first").Message);

        // The final state as a second graph output (forward returning (logits, h_n)).
        var twoOutputs = Proto("lstm_seq_first");
        twoOutputs.Graph.Output.Add(new Onnx.ValueInfoProto { Name = twoOutputs.Graph.Node.Single(n => n.OpType == "LSTM").Output[1] });
        Assert.Contains("the graph has 2 outputs", ImportError(twoOutputs, "lstm_seq_first").Message);
    }

    /// <summary>Each fixture's head: pooled classifiers import as classify heads with the pooling their graph computes.</summary>
    [Theory]
    [InlineData("bilstm_max_classifier", "max")]
    [InlineData("lstm_last_classifier", "last")]
    [InlineData("lstm_mean_classifier", "mean")]
    [InlineData("bilstm_2layer_final_state_classifier", "last")]
    [InlineData("lstm_reverse_final_state_classifier", "last")]
    public void PooledClassifiersImportWithTheirPooling(string name, string pooling)
    {
        var model = Import(name);
        Assert.Equal(HeadKinds.Classify, model.Description.Head.Kind);
        Assert.Equal(pooling, model.Description.Head.Pooling);
        var wrong = ModelDescription.FromJson(File.ReadAllText(FixturePath(name + ".description.json")), "d") is var d
            ? d with { Head = d.Head with { Pooling = pooling == Poolings.Max ? Poolings.Mean : Poolings.Max } }
            : null!;
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelImporter.Import(File.ReadAllBytes(FixturePath(name + ".onnx")), name + ".onnx", wrong, "d.json"));
        Assert.StartsWith($"d.json: head.pooling is {wrong.Head.Pooling}; the graph pools {pooling} (node '", e.Message);
    }

    private static Onnx.NodeProto Node(Onnx.ModelProto proto, string opType) => proto.Graph.Node.Single(n => n.OpType == opType);

    /// <summary>
    /// out.mean(1, keepdim=True) then the kept length-1 axis dropped (by Squeeze, or by Gather index 0 as `[:, 0]`
    /// exports): the mean fixture rewritten so, still PyTorch's outputs.
    /// </summary>
    [Theory]
    [InlineData("Squeeze")]
    [InlineData("Gather")]
    public void KeptPoolingAxisCanBeDropped(string drop)
    {
        var proto = Proto("lstm_mean_classifier");
        var reduce = Node(proto, "ReduceMean");
        reduce.Attribute.Single(a => a.Name == "keepdims").I = 1;
        string pooled = reduce.Output[0];
        reduce.Output[0] = "kept";
        AddIndex(proto, "kept_axis", drop == "Squeeze" ? 1 : 0);
        if (drop == "Squeeze") proto.Graph.Initializer[^1].Dims.Add(1); // Squeeze's axes: [1]
        var node = new Onnx.NodeProto { Name = "drop_kept", OpType = drop, Input = { "kept", "kept_axis" }, Output = { pooled } };
        if (drop == "Gather") node.Attribute.Add(new Onnx.AttributeProto { Name = "axis", Type = Onnx.AttributeProto.Types.AttributeType.Int, I = 1 });
        proto.Graph.Node.Insert(proto.Graph.Node.IndexOf(reduce) + 1, node);
        var description = ModelDescription.FromJson(File.ReadAllText(FixturePath("lstm_mean_classifier.description.json")), "description");
        var model = OnnxModelImporter.Import(proto.ToByteArray(), "lstm_mean_classifier.onnx", description);
        var (diff, _) = Compare(model, "lstm_mean_classifier");
        output.WriteLine($"keepdims 1 + {drop}: max |ours − PyTorch| = {diff:E2}");
        Assert.True(diff <= 1e-4, $"max |ours − PyTorch| = {diff:E2}");
    }

    private static void AddIndex(Onnx.ModelProto proto, string name, long value) =>
        proto.Graph.Initializer.Add(new Onnx.TensorProto { Name = name, DataType = (int)Onnx.TensorProto.Types.DataType.Int64, Int64Data = { value } });

    /// <summary>Poolings that are not exactly the description's: one line naming the node and why.</summary>
    [Fact]
    public void UnsupportedPoolingsAreOneLineNamingTheNode()
    {
        // out[:, -1] of a BiLSTM: its reverse half has read the last step only, which is not pooling last.
        var biLast = Proto("bilstm_max_classifier");
        var reduce = Node(biLast, "ReduceMax");
        AddIndex(biLast, "last_step", -1);
        reduce.OpType = "Gather";
        reduce.Attribute.Clear();
        reduce.Attribute.Add(new Onnx.AttributeProto { Name = "axis", Type = Onnx.AttributeProto.Types.AttributeType.Int, I = 1 });
        reduce.Input.Add("last_step");
        Assert.StartsWith($"bilstm_max_classifier.onnx: node '{reduce.Name}' (Gather): takes the last step of a bidirectional LSTM's outputs",
            ImportError(biLast, "bilstm_max_classifier").Message);

        // Max over the features instead of time.
        var overFeatures = Proto("bilstm_max_classifier");
        Node(overFeatures, "ReduceMax").Attribute.Single(a => a.Name == "axes").Ints[0] = 2;
        Assert.Contains("(ReduceMax): reduces axes [2] of [input0, input1, features 12]; only a reduction over time (axis 1 alone) is max pooling",
            ImportError(overFeatures, "bilstm_max_classifier").Message);

        // The first step of a forward LSTM (out[0]) is not a pooling.
        var first = Proto("lstm_last_classifier");
        var gather = first.Graph.Node.Last(n => n.OpType == "Gather");
        AddIndex(first, "first_step", 0);
        gather.Input[1] = "first_step";
        Assert.Contains($"node '{gather.Name}' (Gather): takes step [0]; only the last step (index -1) is a pooling (last)", ImportError(first, "lstm_last_classifier").Message);

        // cat(h_n[-1], h_n[-2]): reverse before forward.
        var swapped = Proto("bilstm_2layer_final_state_classifier");
        var concat = swapped.Graph.Node.Last(n => n.OpType == "Concat");
        (concat.Input[0], concat.Input[1]) = (concat.Input[1], concat.Input[0]);
        Assert.Contains($"node '{concat.Name}' (Concat): joins the reverse direction's final state before the forward one",
            ImportError(swapped, "bilstm_2layer_final_state_classifier").Message);

        // Y[-1] of a reverse LSTM: the step it read first, not its final state (Y_h, its output at step 0).
        var reverseLast = Proto("lstm_reverse_final_state_classifier");
        var squeeze = Node(reverseLast, "Squeeze");
        string final = squeeze.Output[0];
        AddIndex(reverseLast, "direction_axis_1", 1);
        reverseLast.Graph.Initializer[^1].Dims.Add(1);
        AddIndex(reverseLast, "last_step", -1);
        (squeeze.Input[0], squeeze.Input[1], squeeze.Output[0]) = (Node(reverseLast, "LSTM").Output[0], "direction_axis_1", "steps"); // Y [T, 1, 1, H] → [T, 1, H]
        var lastStep = new Onnx.NodeProto { Name = "last", OpType = "Gather", Input = { "steps", "last_step" }, Output = { final } };
        lastStep.Attribute.Add(new Onnx.AttributeProto { Name = "axis", Type = Onnx.AttributeProto.Types.AttributeType.Int, I = 0 });
        reverseLast.Graph.Node.Insert(reverseLast.Graph.Node.IndexOf(squeeze) + 1, lastStep);
        Assert.StartsWith("lstm_reverse_final_state_classifier.onnx: node 'last' (Gather): takes the last step of a reverse LSTM's outputs, which has read that step only",
            ImportError(reverseLast, "lstm_reverse_final_state_classifier").Message);

        // A Softmax over the batch axis.
        var softmaxAxis = Proto("bilstm_max_classifier");
        Node(softmaxAxis, "Softmax").Attribute.Single(a => a.Name == "axis").I = 0;
        Assert.Contains("(Softmax): takes the softmax along axis 0 of [input0, features 3]; only along the head's outputs", ImportError(softmaxAxis, "bilstm_max_classifier").Message);
    }

    [Fact]
    public void DescriptionMustMatchTheGraph()
    {
        var wrong = ModelDescription.FromJson(File.ReadAllText(FixturePath("bilstm_tagger.description.json")), "d") is var d
            ? d with { Encoder = [new EncoderLayerDescription { Hidden = 12, Bidirectional = false }] }
            : null!;
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelImporter.Import(File.ReadAllBytes(FixturePath("bilstm_tagger.onnx")), "bilstm_tagger.onnx", wrong, "tagger.json"));
        Assert.StartsWith("tagger.json: encoder[0] is hidden 12;", e.Message);

        // A description that leaves out "reverse" would run the layer forward: refused, naming both.
        var forward = OnnxFixtures.Description("lstm_reverse_final_state_classifier") is var r
            ? r with { Encoder = [new EncoderLayerDescription { Hidden = 6 }] }
            : null!;
        e = Assert.Throws<ModelFormatException>(() => OnnxModelImporter.Import(File.ReadAllBytes(FixturePath("lstm_reverse_final_state_classifier.onnx")),
            "classifier.onnx", forward, "classifier.json"));
        Assert.Matches(@"^classifier\.json: encoder\[0\] is hidden 6; the graph's LSTM '.+' is hidden 6, reverse \(classifier\.onnx\)$", e.Message);
    }

    /// <summary>Every truncation and thousands of byte mutations of each fixture: an import or a one-line ModelFormatException, nothing else.</summary>
    [Fact]
    public void TruncatedAndMutatedFilesGiveTypedErrors()
    {
        var random = new Random(36);
        int rejected = 0, accepted = 0;
        foreach (string name in OnnxFixtures.Names)
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
