namespace EdgeLstm.Tests;

/// <summary>Int8 from a float model as `convert` makes it, checked on every kernel variant this CPU runs.</summary>
internal static class EveryKernel
{
    /// <summary>The int8 file of <paramref name="floatModel"/>, loaded (caller disposes).</summary>
    public static QuantizedLstmModel Convert(FloatLstmModel floatModel, string name)
    {
        byte[] bytes = CompactModelBuilder.Build(floatModel, WeightType.Int8, blockSparse: false, "none", "test");
        var q = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(bytes, name));
        Assert.Equal(floatModel.Description.ToJson(), q.Description.ToJson());
        return q;
    }

    /// <summary>Runs every sequence through a runner on each kernel variant exact for the file's weight bits and asserts the scalar kernels' bits; returns those outputs.</summary>
    public static float[][] RunnerOutputs(QuantizedLstmModel q, int[][] sequences)
    {
        using var reference = q.CreateRunner(LstmKernels.Create(Int8DotScalar.Name));
        float[][] expected = Array.ConvertAll(sequences, s => reference.Run(s).ToArray());
        foreach (ILstmKernels kernels in LstmKernels.AllSupported(q.WeightBits))
        {
            using var runner = q.CreateRunner(kernels);
            for (int s = 0; s < sequences.Length; s++)
                Assert.True(expected[s].AsSpan().SequenceEqual(runner.Run(sequences[s])), $"{kernels.Name}: sequence {s} differs from the scalar kernels");
        }
        return expected;
    }

    /// <summary>Asserts that int8 outputs differ from the float model's, but by less than <paramref name="tolerance"/> (quantization, not a bug).</summary>
    public static void AssertCloseToFloat(FloatLstmModel floatModel, int[][] sequences, float[][] int8, double tolerance)
    {
        using var floatRunner = floatModel.CreateRunner();
        double maxDiff = 0;
        for (int s = 0; s < sequences.Length; s++)
        {
            ReadOnlySpan<float> f = floatRunner.Run(sequences[s]);
            for (int i = 0; i < f.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(f[i] - int8[s][i]));
        }
        Assert.True(maxDiff > 0 && maxDiff < tolerance, $"int8 vs float outputs: max difference {maxDiff:E3}");
    }
}
