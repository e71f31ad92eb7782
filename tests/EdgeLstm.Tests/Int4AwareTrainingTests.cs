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
}
