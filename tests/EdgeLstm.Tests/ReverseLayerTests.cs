using System.Text;
using EdgeLstm.Trainer;

namespace EdgeLstm.Tests;

/// <summary>
/// The reverse-only layer (<c>encoder[k].reverse</c>, ONNX direction "reverse"): its description and tensor names,
/// runs against an oracle that shares none of its reverse walk — the same weights as forward layers, run on the
/// time-reversed tokens, outputs reversed back — in float and int8, files an older reader must refuse rather than
/// run forward, the CLI, and the trainer's refusal. (PyTorch and ONNX Runtime check it on the ONNX fixtures:
/// OnnxImportTests, OnnxRuntimeParityTests; <see cref="Int8StepOracle"/> on every kernel: Int8EncoderOracleTests.)
/// </summary>
public sealed class ReverseLayerTests
{
    private static ModelDescription Described(string pooling, params EncoderLayerDescription[] encoder) => new()
    {
        Input = new InputDescription { Kind = InputKinds.Tokens, Size = 12, Tokenizer = CharTokenizer.FromText(TinyModels.Text).ToDescription() },
        Encoder = encoder,
        Head = pooling == Poolings.None
            ? new HeadDescription { Kind = HeadKinds.Tag, Pooling = Poolings.None, Size = 3, Labels = ["none", "comma", "stop"] }
            : new HeadDescription { Kind = HeadKinds.Classify, Pooling = pooling, Size = 3, Labels = ["none", "comma", "stop"] },
    };

    private static readonly EncoderLayerDescription[] TwoReverse = [new() { Hidden = 20, Reverse = true }, new() { Hidden = 16, Reverse = true }];

    [Fact]
    public void DescriptionReadsReverseAndWritesItOnlyWhenSet()
    {
        var d = ModelDescription.FromJson("""
            {"input": {"kind": "tokens", "size": 4, "tokenizer": {"kind": "char", "vocabulary": ["\ufffd", "a", "b"]}},
             "encoder": [{"hidden": 6, "reverse": true}, {"hidden": 5}],
             "head": {"kind": "tag", "pooling": "none", "size": 2, "labels": ["x", "y"]}}
            """, "d.json");
        Assert.True(d.Encoder[0].Reverse);
        Assert.Equal(6, d.Encoder[0].OutputWidth); // one direction
        Assert.False(d.IsSteppable);
        Assert.False(d.IsBidirectional);
        Assert.Contains("""{"hidden":6,"bidirectional":false,"reverse":true}""", d.ToJson());
        // A description without reverse layers is written as before the field existed.
        Assert.DoesNotContain("reverse", (d with { Encoder = [new() { Hidden = 6 }, new() { Hidden = 5, Bidirectional = true }] }).ToJson());

        var both = Assert.Throws<ModelFormatException>(() => (d with { Encoder = [new() { Hidden = 6, Reverse = true, Bidirectional = true }] }).Validate("d.json"));
        Assert.Equal("d.json: model description: encoder[0] is both reverse and bidirectional; a layer is forward, reverse or bidirectional", both.Message);
        var lm = d with { Head = new HeadDescription { Kind = HeadKinds.NextToken, Pooling = Poolings.None, Size = 3 } };
        Assert.Equal("d.json: model description: a next-token model cannot have a bidirectional or reverse layer (it would see the future)",
            Assert.Throws<ModelFormatException>(() => lm.Validate("d.json")).Message);
    }

    /// <summary>A reverse layer has the reverse direction's tensor names alone: an older reader finds the forward ones missing.</summary>
    [Fact]
    public void TensorsAreTheReverseDirectionsNames()
    {
        var lstm = ModelTensors.Of(Described(Poolings.None, TwoReverse[0]), fusedBiases: true).Where(s => s.Layer == 0).Select(s => s.Name);
        Assert.Equal(["lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse", "lstm.bias_l0_reverse"], lstm);
    }

    /// <summary>
    /// Reverse layers over tokens x equal forward layers with the same weights over x reversed, step t for step T−1−t;
    /// pooling last (each reverse layer's state after step 0) equals the forward model's last step. Bit for bit: float
    /// sums have a fixed order, int8 products are exact and each step's input is quantized alone.
    /// </summary>
    [Theory]
    [InlineData(Poolings.None)]
    [InlineData(Poolings.Last)]
    public void ReverseLayersEqualForwardLayersOnReversedTokens(string pooling)
    {
        var reverse = TinyModels.FromDescription(Described(pooling, TwoReverse), seed: 36);
        var forwardDescription = Described(pooling, [.. TwoReverse.Select(l => l with { Reverse = false })]);
        var forward = new FloatLstmModel(forwardDescription, ModelTensors.Of(forwardDescription, fusedBiases: false).ToDictionary(
            s => s.Name, s => reverse.Tensor(s.Layer >= 0 ? ModelTensors.ReverseOf(s.Name) : s.Name)));
        using var reverseInt8 = EveryKernel.Convert(reverse, "reverse.elstm");
        using var forwardInt8 = EveryKernel.Convert(forward, "forward.elstm");
        int size = reverse.OutputSize;
        foreach (int length in new[] { 1, 9, 64, 65, 130 }) // one chunk of projections, and a walk across chunks
        {
            int[] tokens = TinyModels.Tokens(length, reverse.Tokenizer.VocabularySize, seed: length);
            int[] reversed = tokens.Reverse().ToArray();
            foreach (var (r, f, threads) in new (ILanguageModel, ILanguageModel, int)[] { (reverse, forward, 1), (reverseInt8, forwardInt8, 1), (reverseInt8, forwardInt8, 2) })
            {
                using ISequenceRunner rRunner = r is QuantizedLstmModel rq ? rq.CreateRunner(LstmKernels.For(rq), threads) : r.CreateRunner();
                using ISequenceRunner fRunner = f is QuantizedLstmModel fq ? fq.CreateRunner(LstmKernels.For(fq), threads) : f.CreateRunner();
                float[] ours = rRunner.Run(tokens).ToArray(), expected = fRunner.Run(reversed).ToArray();
                if (pooling == Poolings.None)
                    expected = Enumerable.Range(0, length).Reverse().SelectMany(t => expected.Skip(t * size).Take(size)).ToArray();
                Assert.True(expected.AsSpan().SequenceEqual(ours), $"{r.GetType().Name}, {threads} threads, {length} tokens: reverse layers differ from forward ones on the reversed tokens");
            }
        }
    }

    /// <summary>
    /// An older reader ignores a metadata field it does not know (docs/format.md), so it would read the reverse layer
    /// as forward: the file must still be refused, by its tensor names. Simulated by renaming the field to one this
    /// reader does not know either, in the .elstm and the safetensors files.
    /// </summary>
    [Fact]
    public void AReaderThatDoesNotKnowReverseRefusesTheFile()
    {
        var model = TinyModels.FromDescription(Described(Poolings.None, TwoReverse), seed: 36);
        byte[] elstm = CompactModelBuilder.Build(model, WeightType.Int8, blockSparse: false, "none", "t");
        Assert.True(Rename(elstm, "\"reverse\":true", "\"reversx\":true") == 2);
        ModelFileRehasher.Rehash(elstm);
        var e = Assert.Throws<ModelFormatException>(() => CompactModelLoader.Load(ModelFileReader.Parse(elstm, "old.elstm")));
        Assert.Equal("old.elstm: tensor 'lstm.weight_ih_l0' is missing", e.Message);

        using var dir = new TempDirectory();
        TinyModels.Save(model, dir.File("m.safetensors"));
        byte[] safetensors = File.ReadAllBytes(dir.File("m.safetensors"));
        Assert.True(Rename(safetensors, "\\u0022reverse\\u0022:true", "\\u0022reversx\\u0022:true") == 2); // the description is a JSON string in the header
        e = Assert.Throws<ModelFormatException>(() => FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(safetensors, "old.safetensors")));
        Assert.StartsWith("old.safetensors: tensors 'lstm.bias_hh_l0_reverse',", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>Replaces every occurrence of <paramref name="from"/> with <paramref name="to"/> (same length); returns how many.</summary>
    private static int Rename(byte[] bytes, string from, string to)
    {
        byte[] f = Encoding.UTF8.GetBytes(from), t = Encoding.UTF8.GetBytes(to);
        Assert.Equal(f.Length, t.Length);
        int count = 0, at = 0;
        while (bytes.AsSpan(at).IndexOf(f) is var i and >= 0)
        {
            t.CopyTo(bytes, at + i);
            at += i + f.Length;
            count++;
        }
        return count;
    }

    /// <summary>`edgelstm-dev convert` of the reverse ONNX classifier, then `edgelstm info`: the layer, its tensors, and not steppable.</summary>
    [Fact]
    public void ConvertAndInfoShowTheReverseLayer()
    {
        using var dir = new TempDirectory();
        string name = "lstm_reverse_final_state_classifier";
        var convert = CliRunner.RunDev("convert", OnnxFixtures.FixturePath(name + ".onnx"), "--description", OnnxFixtures.FixturePath(name + ".description.json"),
            "-o", dir.File("c.elstm"));
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        var info = CliRunner.Run("info", "--model", dir.File("c.elstm"));
        Assert.True(info.ExitCode == 0, info.Stderr);
        Assert.Contains("architecture: word tokens → embedding 11×8 → reverse LSTM 8→6 → last pooling → linear 6→3\n", info.Stdout);
        Assert.Contains("sparsity:     lstm.weight_ih_l0_reverse ", info.Stdout);
    }

    [Fact]
    public void TheTrainerRefusesAReverseLayer()
    {
        TorchFixture.Init(1);
        var e = Assert.Throws<ArgumentException>(() => TaskNetworks.Create(Described(Poolings.None, TwoReverse), dropout: 0));
        Assert.Equal("the trainer cannot build a reverse LSTM layer (nn.LSTM is forward or bidirectional); such models come from ONNX imports and are converted, not trained", e.Message);
    }
}
