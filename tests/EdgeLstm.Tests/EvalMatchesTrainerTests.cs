namespace EdgeLstm.Tests;

/// <summary>`edgelstm eval` and the trainer must report the same bits/char for the same model and text.</summary>
public sealed class EvalMatchesTrainerTests
{
    [Fact]
    public void RuntimeBitsPerCharEqualsTrainerAfterRealTraining()
    {
        TorchFixture.Init(seed: 3);
        using var dir = new TempDirectory();
        // The validation text includes characters outside the vocabulary.
        var options = TinyTraining.Options(dir, "m.safetensors", validChars: 1500, validSuffix: " ünïcödé ✓") with { EmbeddingDim = 8, Dropout = 0.1, MaxBatchesPerEpoch = 10 };
        string valid = options.ValidFile, model = options.Output;
        var result = new CharLmTrainer(options).Run(CancellationToken.None);

        var network = TaskNetworks.Load<LanguageModelNetwork>(model);
        var tokenizer = network.Description.Input.Tokenizer!.Create(model);
        int[] tokens = tokenizer.Encode(File.ReadAllText(valid));
        double trainer = CharLmEvaluator.BitsPerChar(network, tokens);
        double runtime = BitsPerCharEvaluator.Evaluate(FloatLstmModel.Load(model), tokens);

        Assert.InRange(runtime - trainer, -1e-3, 1e-3);
        // The trainer's own record of the best epoch is the same measurement.
        Assert.InRange(result.BestValidBits - runtime, -1e-3, 1e-3);
        Assert.True(runtime < Math.Log2(tokenizer.VocabularySize), $"training did not learn anything: {runtime} bits/char");
    }

    [Fact]
    public void WindowedBitsPerCharEqualsOnePassOverALongText()
    {
        TorchFixture.Init(seed: 5);
        var tokenizer = CharTokenizer.FromText(TestTexts.English(3000, seed: 1));
        using var network = TaskNetworks.Create<LanguageModelNetwork>(LanguageModelNetwork.Describe(tokenizer, 8, 16, 2), dropout: 0);
        using (TorchSharp.torch.no_grad())
            foreach (var p in network.parameters()) p.mul_(3.0); // a state that matters: a window started from zero would score differently
        int[] tokens = tokenizer.Encode(TestTexts.English(3 * CharLmEvaluator.Window + 123, seed: 2));
        Assert.True(tokens.Length > 2 * CharLmEvaluator.Window);
        double windowed = CharLmEvaluator.BitsPerChar(network, tokens);
        double onePass = CharLmEvaluator.Score(network, tokens, (logits, target) =>
            TorchSharp.torch.nn.functional.cross_entropy(logits, target, reduction: TorchSharp.torch.nn.Reduction.Sum).to_type(TorchSharp.torch.ScalarType.Float64).item<double>()
            / (tokens.Length - 1) / Math.Log(2));
        Assert.InRange(windowed - onePass, -1e-6, 1e-6);
    }
}
