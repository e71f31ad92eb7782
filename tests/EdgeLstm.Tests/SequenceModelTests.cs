using TorchSharp.Modules;

namespace EdgeLstm.Tests;

/// <summary>
/// "Sequence" models: nn.LSTM + nn.Linear over float input vectors, no embedding (time series, regression).
/// The float runtime is checked against libtorch, the int8 conversion against the float model and across
/// every kernel variant.
/// </summary>
public sealed class SequenceModelTests
{
    private sealed class SequenceNetwork : nn.Module
    {
        private readonly LSTM lstm;
        private readonly Linear fc;

        public SequenceNetwork(int input, int hidden, int layers, int outputs) : base(nameof(SequenceNetwork))
        {
            lstm = nn.LSTM(input, hidden, numLayers: layers, batchFirst: true);
            fc = nn.Linear(hidden, outputs);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x)
        {
            var (output, h, c) = lstm.call(x);
            using (output) using (h) using (c) return fc.call(output);
        }
    }

    private const int Input = 3, Hidden = 24, Layers = 2, Outputs = 2, Steps = 200;

    /// <summary>A PyTorch-named safetensors file of a random network, and the network's outputs on a random sequence.</summary>
    private static (string Path, float[] Inputs, float[] Expected) TorchModel(TempDirectory dir)
    {
        TorchFixture.Init(seed: 11);
        var network = new SequenceNetwork(Input, Hidden, Layers, Outputs);
        network.eval();
        // A dispose scope keeps every temporary referenced until libtorch is done with it: an unreferenced one can
        // be finalized on the GC's thread mid-call.
        using var scope = NewDisposeScope();
        var tensors = new List<SafeTensorsWriter.Tensor>();
        foreach (var (name, p) in network.state_dict())
            tensors.Add(new(name, p.shape, p.contiguous().data<float>().ToArray()));
        string path = dir.File("sequence.safetensors");
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { [ModelMetadataKeys.Task] = Tasks.Sequence });

        var random = new Random(5);
        var inputs = new float[Steps * Input];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 4 - 2);
        using var _ = no_grad();
        var outputs = network.Forward(tensor(inputs, [1, Steps, Input]));
        return (path, inputs, outputs.contiguous().data<float>().ToArray());
    }

    [Fact]
    public void FloatOutputsMatchLibTorchOver200Steps()
    {
        using var dir = new TempDirectory();
        var (path, inputs, expected) = TorchModel(dir);
        FloatLstmModel model = FloatLstmModel.Load(path);
        Assert.False(model.HasEmbedding);
        Assert.Equal((Input, Outputs), (model.InputWidth, model.OutputSize));

        var session = model.CreateSession();
        double maxDiff = 0;
        for (int t = 0; t < Steps; t++)
        {
            ReadOnlySpan<float> actual = session.StepInput(inputs.AsSpan(t * Input, Input));
            for (int o = 0; o < Outputs; o++) maxDiff = Math.Max(maxDiff, Math.Abs(actual[o] - expected[t * Outputs + o]));
        }
        Assert.True(maxDiff <= 1e-4, $"max |runtime - libtorch| = {maxDiff:E3}");
        Assert.Throws<NotSupportedException>(() => session.Step(0));
        Assert.Throws<ArgumentException>(() => session.StepInput(new float[Input + 1]));
    }

    [Fact]
    public void Int8ConversionTracksTheFloatModelAndIsBitIdenticalOnEveryKernel()
    {
        using var dir = new TempDirectory();
        var (path, inputs, expected) = TorchModel(dir);
        FloatLstmModel floatModel = FloatLstmModel.Load(path);
        byte[] file = CompactModelBuilder.Build(floatModel, WeightType.Int8, blockSparse: false, "none", "sequence.safetensors");
        var model = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(file, "sequence.elstm"));
        Assert.Equal(Tasks.Sequence, model.File.Metadata.Task);
        Assert.False(model.HasEmbedding);
        Assert.Throws<NotSupportedException>(() => model.Tokenizer);

        float[]? reference = null;
        foreach (ILstmKernels kernels in LstmKernels.AllSupported())
        {
            var session = model.CreateSession(kernels);
            var outputs = new float[Steps * Outputs];
            for (int t = 0; t < Steps; t++) session.StepInput(inputs.AsSpan(t * Input, Input)).CopyTo(outputs.AsSpan(t * Outputs));
            if (reference is null)
            {
                reference = outputs;
                double maxDiff = 0;
                for (int i = 0; i < outputs.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(outputs[i] - expected[i]));
                // Per-row int8 weights and per-step int8 activations: the outputs (|y| ≲ 1) stay within a few hundredths.
                Assert.True(maxDiff <= 0.05, $"max |int8 - float| = {maxDiff:F4}");
            }
            else
            {
                Assert.True(reference.AsSpan().SequenceEqual(outputs), $"{kernels.Name} differs from {LstmKernels.AllSupported().First().Name}");
            }
        }
    }

    [Fact]
    public void StepInputAllocatesNothing()
    {
        using var dir = new TempDirectory();
        var (path, inputs, _) = TorchModel(dir);
        byte[] file = CompactModelBuilder.Build(FloatLstmModel.Load(path), WeightType.Int8, blockSparse: false, "none", "sequence.safetensors");
        var session = ((QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(file, "sequence.elstm"))).CreateSession();
        session.StepInput(inputs.AsSpan(0, Input));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < Steps; t++) session.StepInput(inputs.AsSpan(t * Input, Input));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ACharacterFileWithoutEmbeddingOrASequenceFileWithOneIsRejected()
    {
        using var dir = new TempDirectory();
        var (path, _, _) = TorchModel(dir);
        var file = SafeTensorsReader.Read(path);
        var asChar = new Dictionary<string, string>(file.Metadata) { [ModelMetadataKeys.Task] = Tasks.CharLm };
        var tensors = file.Tensors.Values.Select(t => new SafeTensorsWriter.Tensor(t.Name, t.Shape, file.ReadFloats(t))).ToList();
        string charPath = dir.File("char.safetensors");
        SafeTensorsWriter.Write(charPath, tensors, asChar);
        var e = Assert.Throws<ModelFormatException>(() => FloatLstmModel.Load(charPath));
        Assert.Contains("edgelstm.vocab", e.Message);

        tensors.Add(new(ModelTensors.EmbeddingWeight, [4, Input], new float[4 * Input]));
        string withEmbedding = dir.File("with-embedding.safetensors");
        SafeTensorsWriter.Write(withEmbedding, tensors, file.Metadata);
        e = Assert.Throws<ModelFormatException>(() => FloatLstmModel.Load(withEmbedding));
        Assert.Contains("must not be present", e.Message);
    }
}
