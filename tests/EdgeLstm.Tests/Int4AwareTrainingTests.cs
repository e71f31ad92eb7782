namespace EdgeLstm.Tests;

/// <summary>`edgelstm-train --int4-aware`: the values it trains with are the ones `convert --dtype int4` writes, bit for bit.</summary>
public sealed class Int4AwareTrainingTests
{
    [Fact]
    public void TheInt4ValuesTrainedWithAreTheConvertersBitForBit()
    {
        TorchFixture.Init(seed: 17);
        using var dir = new TempDirectory();
        new CharLmTrainer(TinyTraining.Options(dir, "dense.safetensors")).Run(CancellationToken.None);
        var tuned = new CharLmTrainer(TinyTraining.Options(dir, "int4.safetensors") with { InitFrom = dir.File("dense.safetensors"), Int4Aware = true })
            .Run(CancellationToken.None);
        Assert.False(tuned.Interrupted);

        ModelConverter.Convert(new ConvertOptions { Input = dir.File("int4.safetensors"), Output = dir.File("int4.elstm"), Weights = WeightType.Int4 });
        using ModelFile file = ModelFileReader.Read(dir.File("int4.elstm"));
        var network = TaskNetworks.Load<LanguageModelNetwork>(dir.File("int4.safetensors"), dropout: 0);
        using var fake = new Int4FakeQuantization(network);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var floats = fake.Names.ToDictionary(n => n, n => parameters[n].data<float>().ToArray());
        // Layer 0's W_ih has 16 columns (the embedding): 32 does not divide them, so the converter keeps it int8 and training does not quantize it.
        Assert.Equal(new[] { "fc.weight", "lstm.weight_hh_l0", "lstm.weight_hh_l1", "lstm.weight_ih_l1" }, fake.Names.Order(StringComparer.Ordinal));

        fake.Quantize();
        foreach (string name in fake.Names)
        {
            TensorEntry entry = file.Require(name);
            Assert.Equal(TensorDType.I4, entry.DType);
            var panels = new Int4Panels(file.Bytes(entry), (int)entry.Rows, (int)entry.Columns);
            ReadOnlySpan<float> scales = file.Floats(file.ScaleOf(entry)!);
            float[] trainedWith = parameters[name].data<float>().ToArray();
            for (int r = 0; r < panels.Rows; r++)
                for (int j = 0; j < panels.Columns; j++)
                    Assert.Equal(panels.Value(r, j) * panels.Multiplier(r, j / 32) * scales[r], trainedWith[r * panels.Columns + j]);
        }
        fake.Restore();
        foreach (string name in fake.Names) Assert.Equal(floats[name], parameters[name].data<float>().ToArray()); // the float weights come back exactly
    }

    /// <summary>
    /// A sequence-to-sequence network (the committed g2p model): training fake-quantizes exactly the matrices the
    /// converter makes int4 — encoder, decoder, attention and output — with the converter's values.
    /// </summary>
    [Fact]
    public void ASeq2SeqNetworkIsFakeQuantizedWhereTheConverterWritesInt4()
    {
        string path = Arm64BitIdentityTests.RepoPath("runtime", "models", "g2p.safetensors");
        using ModelFile file = ModelFileReader.Parse(CompactModelBuilder.Build(FloatLstmModel.Load(path), WeightType.Int4, false, "none", "t"), "g2p.elstm");
        var network = TaskNetworks.Load<Seq2SeqNetwork>(path);
        using var fake = new Int4FakeQuantization(network);
        Assert.Equal(file.Tensors.Where(t => t.DType == TensorDType.I4).Select(t => t.Name).Order(StringComparer.Ordinal), fake.Names.Order(StringComparer.Ordinal));
        Assert.Contains(fake.Names, n => n.StartsWith("decoder", StringComparison.Ordinal));

        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        fake.Quantize();
        foreach (string name in fake.Names)
        {
            TensorEntry entry = file.Require(name);
            var panels = new Int4Panels(file.Bytes(entry), (int)entry.Rows, (int)entry.Columns);
            ReadOnlySpan<float> scales = file.Floats(file.ScaleOf(entry)!);
            float[] trainedWith = parameters[name].data<float>().ToArray();
            for (int r = 0; r < panels.Rows; r++)
                for (int j = 0; j < panels.Columns; j++)
                    Assert.Equal(panels.Value(r, j) * panels.Multiplier(r, j / 32) * scales[r], trainedWith[r * panels.Columns + j]);
        }
        fake.Restore();
    }

    /// <summary>`seq2seq --init-from M --int4-aware` runs: a tiny lexicon model (widths 32) fine-tuned an epoch at its int4 values.</summary>
    [Fact]
    public void Seq2SeqFineTunesFromAModelAtItsInt4Values()
    {
        LexiconWord[] words =
        [
            new("CAT", [["K", "AE1", "T"]], "train"), new("DOG", [["D", "AO1", "G"]], "train"),
            new("THROUGH", [["TH", "R", "UW1"]], "train"), new("READ", [["R", "IY1", "D"]], "train"),
        ];
        using var dir = new TempDirectory();
        TorchFixture.Init(seed: 31);
        var options = new Seq2SeqOptions
        {
            EmbeddingDim = 32, EncoderHidden = 32, EncoderLayers = 1, DecoderEmbedding = 32, DecoderHidden = 32, Epochs = 2, Threads = 1, Quiet = true,
        };
        var first = new Seq2SeqTrainer(options).Train(words, words, CancellationToken.None);
        TaskNetworks.Save(dir.File("g2p.safetensors"), first.Network);
        var tuned = new Seq2SeqTrainer(options with { InitFrom = dir.File("g2p.safetensors"), Int4Aware = true, Epochs = 1 }).Train(words, words, CancellationToken.None);
        Assert.False(tuned.Interrupted);
        Assert.Equal(1, tuned.Epochs);
        Assert.InRange(tuned.ValidWer, 0, 100);
        Assert.Throws<ArgumentException>(() => (options with { InitFrom = "x", Resume = true, CheckpointDir = dir.Path }).Validate());
    }
}
