namespace EdgeLstm.Tests;

/// <summary>The float runtimes (scalar reference and vectorized) against libtorch (the oracle) on the same weights, step by step.</summary>
public sealed class RuntimeMatchesLibTorchTests
{
    [Theory]
    [InlineData(1, 8, 5, 12, 1.0)]
    [InlineData(2, 64, 16, 40, 1.0)]
    [InlineData(3, 32, 8, 25, 3.0)]   // weights scaled up so gates saturate
    [InlineData(1, 256, 32, 60, 1.0)]
    [InlineData(2, 256, 64, 90, 1.0)]
    public void LogitsMatchTorchOver256Steps(int layers, int hidden, int embedding, int vocabChars, double weightScale)
    {
        TorchFixture.Init(seed: layers * 1000 + hidden);
        var tokenizer = TokenizerWith(vocabChars);
        var network = TaskNetworks.Create<LanguageModelNetwork>(LanguageModelNetwork.Describe(tokenizer, embedding, hidden, layers), dropout: 0);
        if (weightScale != 1.0)
            using (no_grad())
                foreach (var p in network.parameters()) p.mul_(weightScale);
        network.eval();

        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        TaskNetworks.Save(path, network);
        var model = FloatLstmModel.Load(path);

        const int steps = 256;
        var random = new Random(7);
        var tokens = new long[steps];
        for (int t = 0; t < steps; t++) tokens[t] = random.Next(tokenizer.VocabularySize);
        float[] expected;
        // The scope keeps temporaries referenced until libtorch is done with them: an unreferenced one can be
        // finalized on the GC's thread mid-call.
        using (NewDisposeScope())
        using (no_grad())
        {
            var (logits, _, _) = network.Forward(tensor(tokens, [1, steps]), null);
            expected = logits.contiguous().data<float>().ToArray();
        }

        // Both float runtimes: the scalar reference and the vectorized step the CLI and the C ABI use.
        foreach (FloatLstmSession session in new[] { model.CreateReferenceSession(), model.CreateSession() })
        {
            int vocab = tokenizer.VocabularySize;
            double maxDiff = 0;
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> actual = session.Step((int)tokens[t]);
                for (int v = 0; v < vocab; v++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(actual[v] - expected[t * vocab + v]));
            }
            string which = session.IsReference ? "reference" : "vectorized";
            Assert.True(maxDiff <= 1e-4, $"{which}: max |runtime - libtorch| = {maxDiff:E3} over {steps} steps");
        }
    }

    private static CharTokenizer TokenizerWith(int chars)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < chars; i++) text.Append((char)('!' + i));
        return CharTokenizer.FromText(text.ToString());
    }
}
