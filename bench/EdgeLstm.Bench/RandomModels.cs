namespace EdgeLstm.Bench;

/// <summary>Float models with seeded random weights (PyTorch's init range) and their int8 conversions.</summary>
internal static class RandomModels
{
    public static FloatLstmModel Float(int input, int hidden, int layers = 1, int vocabChars = 16, int seed = 1)
    {
        var random = new Random(seed);
        var text = new string(Enumerable.Range(0, vocabChars).Select(i => (char)('a' + i)).ToArray());
        var tokenizer = CharTokenizer.FromText(text);
        float bound = 1f / MathF.Sqrt(hidden);
        float[] U(int n, float r) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * r)).ToArray();
        var stack = new FloatLstmLayer[layers];
        int inSize = input;
        for (int k = 0; k < layers; k++)
        {
            stack[k] = new FloatLstmLayer(inSize, hidden, U(4 * hidden * inSize, bound), U(4 * hidden * hidden, bound), U(4 * hidden, bound), U(4 * hidden, bound));
            inSize = hidden;
        }
        int vocab = tokenizer.VocabularySize;
        return new FloatLstmModel(tokenizer, U(vocab * input, 1f), input, stack, U(vocab * hidden, bound), U(vocab, bound));
    }

    /// <summary>The int8 conversion, stored block-sparse when <paramref name="prune"/> is a block spec (e.g. <c>block:0.5:row</c>).</summary>
    public static QuantizedLstmModel Int8(FloatLstmModel model, string prune = "none")
    {
        var spec = PruneSpec.Parse(prune);
        bool blockSparse = spec.Method == PruneMethod.Block;
        if (blockSparse) model = PruningMasks.Apply(model, PruningMasks.Compute(model, spec));
        // Memory-mapped from a file, as users load models: the tensors then sit on the 64-byte boundaries the
        // format gives them (a managed byte[] would shift every load by its array header). The mapping outlives
        // the deleted file.
        return Mapped(CompactModelBuilder.Build(model, WeightType.Int8, blockSparse, spec.ToString(), "bench"));
    }

    /// <summary>The int4 conversion (every LSTM matrix and the output layer in groups of 32; the embedding int8).</summary>
    public static QuantizedLstmModel Int4(FloatLstmModel model) => Mapped(CompactModelBuilder.Build(model, WeightType.Int4, false, "none", "bench"));

    private static QuantizedLstmModel Mapped(byte[] file)
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgelstm-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.elstm");
        File.WriteAllBytes(path, file);
        try { return (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Read(path)); }
        finally { File.Delete(path); }
    }
}
