using System.Runtime.Intrinsics.X86;
using System.Buffers.Binary;

namespace EdgeLstm.Tests;

public sealed class ConverterTests
{
    private static ModelFile Compact(FloatLstmModel model, WeightType weights, bool blockSparse = false) =>
        ModelFileReader.Parse(CompactModelBuilder.Build(model, weights, blockSparse, "none", "test"), "t.elstm");

    [Fact]
    public void Float32CompactModelGivesBitIdenticalLogits()
    {
        var model = TinyModels.Create(layers: 2, hidden: 32);
        int[] tokens = TinyModels.Tokens(200, model.OutputSize, seed: 1);
        var loaded = CompactModelLoader.Load(Compact(model, WeightType.F32));
        Assert.IsType<FloatLstmModel>(loaded);
        Assert.Equal(TinyModels.Run(model, tokens), TinyModels.Run(loaded, tokens));
    }

    /// <summary>The documented tolerance (docs/format.md): int8 logits within 0.05 of the float model's over 200 steps.</summary>
    [Theory]
    [InlineData(1, 32, 16)]
    [InlineData(2, 64, 32)]
    [InlineData(2, 256, 64)]
    public void Int8LogitsStayWithinToleranceOfFloat(int layers, int hidden, int embedding)
    {
        var model = TinyModels.Create(layers, hidden, embedding, seed: hidden);
        int[] tokens = TinyModels.Tokens(200, model.OutputSize, seed: 2);
        var int8 = CompactModelLoader.Load(Compact(model, WeightType.Int8));
        Assert.IsType<QuantizedLstmModel>(int8);
        float[] expected = TinyModels.Run(model, tokens), actual = TinyModels.Run(int8, tokens);
        double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
        Assert.True(maxDiff <= 0.05, $"max |int8 - float| logit = {maxDiff}");
        Assert.True(maxDiff > 0, "int8 and float agree exactly: the int8 path is not being exercised");
    }

    [Fact]
    public void WriterAndReaderRoundTripTensorsAndMetadata()
    {
        var model = TinyModels.Create(layers: 1, hidden: 16, embedding: 16);
        var file = Compact(model, WeightType.Int8);
        Assert.Equal(CompactModelMetadata.WeightsInt8, file.Metadata.Weights);
        Assert.Equal(model.Description.ToJson(), file.Metadata.Model!.ToJson());
        Assert.Equal(16, file.Metadata.Model!.Encoder[0].Hidden);
        Assert.Equal(model.OutputSize, file.Metadata.Model.Input.Tokenizer!.Vocabulary.Length);
        var (q, scales) = RowQuantizer.Quantize(model.Layers[0].WeightHh, 64, 16);
        TensorEntry whh = file.Require(ModelTensors.WeightHh(0));
        Assert.Equal(q, file.SBytes(whh).ToArray());
        Assert.Equal(scales, file.Floats(file.ScaleOf(whh)!).ToArray());
        foreach (TensorEntry t in file.Tensors)
            Assert.Equal(0, file.FileOffset(t) % ModelFileLayout.Alignment);
    }

    [Fact]
    public void RemovingZeroWeightUnitsGivesExactlyTheSameOutputs()
    {
        var model = TinyModels.Create(layers: 2, hidden: 16, embedding: 8, seed: 7);
        int[] dead = [1, 5, 6, 12]; // zero these units of both layers: incoming rows, biases and outgoing columns
        for (int k = 0; k < 2; k++)
        {
            FloatLstmLayer l = model.Layers[k];
            float[] outgoing = k == 0 ? model.Layers[1].WeightIh : model.HeadWeight;
            int outRows = k == 0 ? 64 : model.OutputSize;
            foreach (int j in dead)
            {
                for (int gate = 0; gate < 4; gate++)
                {
                    int r = gate * 16 + j;
                    Array.Clear(l.WeightIh, r * l.InputSize, l.InputSize);
                    Array.Clear(l.WeightHh, r * 16, 16);
                    l.BiasIh[r] = l.BiasHh[r] = 0;
                }
                for (int r = 0; r < 64; r++) l.WeightHh[r * 16 + j] = 0;
                for (int r = 0; r < outRows; r++) outgoing[r * 16 + j] = 0;
            }
        }
        var smaller = HiddenUnitPruner.Prune(model, 0.25);
        Assert.All(smaller.Layers, l => Assert.Equal(12, l.HiddenSize));
        Assert.Equal(Enumerable.Range(0, 16).Except(dead).ToArray(), HiddenUnitPruner.UnitsToKeep(model, 0, 0.25));
        int[] tokens = TinyModels.Tokens(200, model.OutputSize, seed: 3);
        Assert.Equal(TinyModels.Run(model, tokens), TinyModels.Run(smaller, tokens));
    }

    [Fact]
    public void BlockSparseInt8ModelMatchesTheDenseInt8ModelBitForBit()
    {
        var model = TinyModels.Create(layers: 2, hidden: 32, embedding: 16, seed: 9);
        var pruned = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
        var sparseFile = Compact(pruned, WeightType.Int8, blockSparse: true);
        var denseFile = Compact(pruned, WeightType.Int8);
        Assert.Equal(TensorLayout.BlockSparse16Aligned, sparseFile.Require(ModelTensors.WeightHh(1)).Layout);
        Assert.True(sparseFile.FileLength < denseFile.FileLength, $"block-sparse {sparseFile.FileLength} bytes vs dense {denseFile.FileLength}");
        int[] tokens = TinyModels.Tokens(200, model.OutputSize, seed: 4);
        Assert.Equal(TinyModels.Run(CompactModelLoader.Load(denseFile), tokens), TinyModels.Run(CompactModelLoader.Load(sparseFile), tokens));
    }

    [Fact]
    public void StaticActivationScalesFromCalibrationStayWithinToleranceOnEveryVariant()
    {
        var model = TinyModels.Create(layers: 2, hidden: 64, embedding: 32, seed: 37);
        int[] calib = TinyModels.Tokens(500, model.OutputSize, seed: 1);
        float[] scales = ActivationCalibrator.HScales(model, calib);
        Assert.All(scales, s => Assert.InRange(s, 1e-6f / 127, 1f / 127));
        var file = ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int8, false, "none", "t", scales), "s.elstm");
        Assert.Equal(CompactModelMetadata.ActivationsStatic, file.Metadata.Activations);
        var compact = (QuantizedLstmModel)CompactModelLoader.Load(file);
        Assert.Equal(scales, compact.StaticHScales);

        int[] tokens = TinyModels.Tokens(200, model.OutputSize, seed: 2);
        float[] expected = TinyModels.Run(model, tokens);
        float[] reference = TinyModels.Run(compact, tokens);
        double maxDiff = 0;
        for (int i = 0; i < expected.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - reference[i]));
        Assert.True(maxDiff <= 0.05, $"max |static int8 - float| logit = {maxDiff}");
        // Static scales differ from dynamic ones, so the two int8 models must not agree exactly.
        var dynamic = CompactModelLoader.Load(Compact(model, WeightType.Int8));
        Assert.NotEqual(TinyModels.Run(dynamic, tokens), reference);
        foreach (var kernels in Runtime.Kernels.LstmKernels.AllSupported())
        {
            var session = compact.CreateSession(kernels);
            Assert.True(tokens.SelectMany(t => session.Step(t).ToArray()).SequenceEqual(reference), $"{kernels.Name} differs with static scales");
        }
    }

    [Fact]
    public void HeavilyPrunedBlockSparseModelsLoad()
    {
        // 90% of the blocks gone: each matrix's rows × columns exceed the bytes actually stored.
        var model = TinyModels.Create(layers: 2, hidden: 256, embedding: 32, seed: 31);
        var pruned = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.9")));
        var file = Compact(pruned, WeightType.Int8, blockSparse: true);
        TensorEntry whh = file.Require(ModelTensors.WeightHh(1));
        Assert.True(whh.ElementCount > file.FileLength, "the test needs a matrix larger than the whole file");
        int[] tokens = TinyModels.Tokens(50, model.OutputSize, seed: 5);
        Assert.Equal(TinyModels.Run(CompactModelLoader.Load(Compact(pruned, WeightType.Int8)), tokens), TinyModels.Run(CompactModelLoader.Load(file), tokens));
    }

    [Theory]
    [InlineData("magnitude:0.5")]
    [InlineData("magnitude:0.3:global")]
    [InlineData("block:0.5")]
    [InlineData("block:0.5:row")]
    public void PruningHitsItsTargetAndIsStableWhenRepeated(string spec)
    {
        var model = TinyModels.Create(layers: 2, hidden: 32, embedding: 16, seed: 11);
        var prune = PruneSpec.Parse(spec);
        var masks = PruningMasks.Compute(model, prune);
        var matrices = PrunableMatrices.Of(PruningMasks.Apply(model, masks));
        long zeros = matrices.Sum(m => m.Values.LongCount(v => v == 0f)), total = matrices.Sum(m => (long)m.Values.Length);
        // Per row, a row of n blocks loses floor(F·n) of them (checked exactly below): the layer-0 input of 16
        // columns (one block) loses none, so only the per-matrix specs are held to F overall.
        if (!prune.Global && !prune.PerRow)
            foreach (var m in matrices)
            {
                double sparsity = (double)m.Values.Count(v => v == 0f) / m.Values.Length;
                Assert.InRange(sparsity, prune.Fraction - 0.07, prune.Fraction + 0.01); // floor() of whole blocks for the small head
            }
        if (!prune.PerRow) Assert.InRange((double)zeros / total, prune.Fraction - 0.02, prune.Fraction + 0.01);
        if (prune.PerRow)
            foreach (var m in matrices)
                for (int r = 0; r < m.Rows; r++)
                {
                    int blocks = m.Columns / PruningMasks.BlockWidth, zeroBlocks = 0;
                    for (int b = 0; b < blocks; b++)
                        if (m.Values.AsSpan(r * m.Columns + b * PruningMasks.BlockWidth, PruningMasks.BlockWidth).IndexOfAnyExcept(0f) < 0) zeroBlocks++;
                    Assert.Equal((int)(prune.Fraction * blocks), zeroBlocks); // every row loses the same number of blocks
                }
        // Pruning the pruned model again selects the same weights.
        var again = PruningMasks.Compute(PruningMasks.Apply(model, masks), prune);
        foreach (var (name, keep) in masks) Assert.Equal(keep, again[name]);
    }

    [Theory]
    [InlineData("magnitude")]
    [InlineData("block:1.5")]
    [InlineData("units:-0.1")]
    [InlineData("block:0.5:global")]
    [InlineData("magnitude:0.5:row")]
    [InlineData("shrink:0.5")]
    public void RejectsBadPruneSpecsNamingTheOption(string spec) =>
        Assert.StartsWith("--prune", Assert.Throws<ArgumentException>(() => PruneSpec.Parse(spec)).Message);

    [Fact]
    public void ReaderRejectsANewerMajorVersionAndSkipsUnknownOptionalSections()
    {
        var model = TinyModels.Create(layers: 1, hidden: 16, embedding: 16);
        var tensors = CompactModelBuilder.Build(model, WeightType.Int8, false, "none", "t");
        byte[] newer = (byte[])tensors.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(newer.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt64LittleEndian(newer.AsSpan(56), ModelFileWriter.HeaderChecksum(newer, 64, 3));
        Assert.Contains("newer than this reader", Assert.Throws<ModelFormatException>(() => ModelFileReader.Parse(newer, "n")).Message);

        var file = ModelFileReader.Parse(tensors, "t");
        var entries = file.Tensors.Select(t => new ModelFileWriter.Tensor(t.Name, t.DType, t.Layout, t.Shape, file.Bytes(t).ToArray(), t.Quantization,
            t.ScaleIndex == ModelFileLayout.NoScale ? null : file.Tensors[(int)t.ScaleIndex].Name, t.BlockCount)).ToList();
        byte[] optional = ModelFileWriter.Serialize(file.Metadata, entries, [new(99, Required: false, "future"u8.ToArray())]);
        Assert.Equal(TinyModels.Run(CompactModelLoader.Load(file), [1, 2, 3]), TinyModels.Run(CompactModelLoader.Load(ModelFileReader.Parse(optional, "o")), [1, 2, 3]));
        byte[] required = ModelFileWriter.Serialize(file.Metadata, entries, [new(99, Required: true, "future"u8.ToArray())]);
        Assert.Contains("unknown kind 99 marked required", Assert.Throws<ModelFormatException>(() => ModelFileReader.Parse(required, "r")).Message);
    }

    [Fact]
    public void SevenBitWeightsKeepTheMultipliedMatricesWithin63AndTheLoaderChecksIt()
    {
        var model = TinyModels.Create(layers: 2, hidden: 32, embedding: 16);
        byte[] bytes = CompactModelBuilder.Build(model, WeightType.Int8, false, "none", "t", weightBits: 7);
        var file = ModelFileReader.Parse(bytes, "seven.elstm");
        Assert.Equal(7, file.Metadata.WeightBits);
        foreach (TensorSpec spec in ModelTensors.Of(model.Description, fusedBiases: true).Where(t => t.IsQuantizable))
        {
            int max = file.SBytes(file.Tensors.Single(t => t.Name == spec.Name)).ToArray().Max(v => Math.Abs((int)v));
            if (spec.IsMultiplied) Assert.Equal(63, max); // each row's largest weight maps to ±63
            else Assert.Equal(127, max);                  // the embedding is looked up, not multiplied: 8 bits
        }
        int[][] sequences = [[1, 2, 3], [4, 5, 6, 7, 8, 9, 1, 2]];
        using (var q = (QuantizedLstmModel)CompactModelLoader.Load(file))
        {
            // Every variant, the 7-bit-only ones included, gives the scalar kernels' bits.
            EveryKernel.AssertCloseToFloat(model, sequences, EveryKernel.RunnerOutputs(q, sequences), tolerance: 0.1);
            if (Avx512BW.IsSupported) Assert.Contains(LstmKernels.AllSupported(7), k => k.Name == Int8DotAvx512BwSevenBit.Name);
            Assert.True(LstmKernels.For(q).Name == LstmKernels.CreateBest(7).Name);
        }
        // An 8-bit file refuses the 7-bit-only variants (they would saturate), and they are not offered for it.
        Assert.DoesNotContain(LstmKernels.AllSupported(), k => k.NeedsSevenBitWeights);
        if (Avx512BW.IsSupported)
            using (var q8 = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int8, false, "none", "t"), "8.elstm")))
                Assert.Contains("exact only for files with 7-bit weights", Assert.Throws<ArgumentException>(() => q8.CreateRunner(LstmKernels.Create(Int8DotAvx512BwSevenBit.Name))).Message);

        // An 8-bit file that claims 7 bits is refused, naming the tensor.
        var eight = ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int8, false, "none", "t"), "eight.elstm");
        var entries = eight.Tensors.Select(t => new ModelFileWriter.Tensor(t.Name, t.DType, t.Layout, t.Shape, eight.Bytes(t).ToArray(), t.Quantization,
            t.ScaleIndex == ModelFileLayout.NoScale ? null : eight.Tensors[(int)t.ScaleIndex].Name, t.BlockCount)).ToList();
        var claims = ModelFileReader.Parse(ModelFileWriter.Serialize(eight.Metadata with { WeightBits = 7 }, entries), "claims.elstm");
        using var claimed = (QuantizedLstmModel)CompactModelLoader.Load(claims); // loading reads headers, not every weight
        Assert.Contains("outside [-63, 63], but weight_bits is 7", Assert.Throws<ModelFormatException>(claimed.CheckSevenBitWeights).Message);
        if (Avx512BW.IsSupported) // the 7-bit kernel refuses it before it runs; the others are exact on any int8 values
            Assert.Throws<ModelFormatException>(() => claimed.CreateRunner(LstmKernels.Create(Int8DotAvx512BwSevenBit.Name)));
        using var eightModel = (QuantizedLstmModel)CompactModelLoader.Load(eight);
        using var onClaimed = claimed.CreateRunner(LstmKernels.Create("scalar"));
        using var onEight = eightModel.CreateRunner(LstmKernels.Create("scalar"));
        Assert.Equal(onEight.Run([1, 2, 3]).ToArray(), onClaimed.Run([1, 2, 3]).ToArray());
    }

    [Fact]
    public void WeightBitsAutoPicksSevenBitsOnlyWhenValidationShowsTheLossWithinTheTaskTolerance()
    {
        string dir = Directory.CreateTempSubdirectory("edgelstm-bits").FullName;
        try
        {
            string input = Arm64BitIdentityTests.RepoPath("runtime", "models", "moby-dick-char.safetensors");
            string valid = Arm64BitIdentityTests.RepoPath(".cache", "moby-dick", "valid.txt");
            var options = new ConvertOptions { Input = input, Output = Path.Combine(dir, "m.elstm"), ValidText = valid, EvalChars = 2000 };
            ConversionReport auto = ModelConverter.Convert(options);
            // The default model loses far less than 0.005 bits/char with 7-bit weights (docs/benchmarks.md): auto takes them.
            Assert.StartsWith("7-bit (auto: bits/char", auto.WeightChoice);
            Assert.Equal(7, ModelFileReader.Read(options.Output).Metadata.WeightBits);
            Assert.Contains("7-bit weights", auto.Format);
            // Without validation data auto cannot weigh the cost: 8 bits, and it says so.
            ConversionReport blind = ModelConverter.Convert(options with { ValidText = null, Force = true });
            Assert.Contains("only with --valid", blind.WeightChoice);
            Assert.Null(ModelFileReader.Read(options.Output).Metadata.WeightBits);
            // Explicit bits are taken as given, without a choice line.
            ConversionReport seven = ModelConverter.Convert(options with { WeightBits = 7, Force = true });
            Assert.Null(seven.WeightChoice);
            Assert.Equal(7, ModelFileReader.Read(options.Output).Metadata.WeightBits);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(1.800, 1.8049, true)]   // bits/char: 0.0049 worse
    [InlineData(1.800, 1.8051, false)]
    public void BitsPerCharToleranceIsAbsolute(double reference, double candidate, bool within)
    {
        var metric = new TaskMetric("bits/char", true, 0.005, false, "t", _ => 0);
        Assert.Equal(within, metric.WithinTolerance(reference, candidate));
    }

    [Theory]
    [InlineData(192.29, 193.2, true)]    // MAE: +0.47%
    [InlineData(192.29, 194.68, false)]  // births with 7-bit weights: +1.2%
    public void MaeToleranceIsRelative(double reference, double candidate, bool within)
    {
        var metric = new TaskMetric("MAE", true, 0.005, true, "t", _ => 0);
        Assert.Equal(within, metric.WithinTolerance(reference, candidate));
    }
}
