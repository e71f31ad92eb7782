namespace EdgeLstm.Tests;

/// <summary>
/// `edgelstm-train calibrate`: the fitted temperature is the minimum of validation bits/char (checked with the
/// runtime's own logits, not TorchSharp's), folding it into fc is exact, and a deliberately over-confident model
/// gets its scale back.
/// </summary>
public sealed class TemperatureCalibrationTests
{
    [Fact]
    public void FittedTemperatureMinimisesValidationBitsPerCharAndFoldsExactly()
    {
        using var dir = new TempDirectory();
        var (model, valid) = TrainTiny(dir);
        string calibrated = dir.File("calibrated.safetensors");

        var result = TemperatureCalibration.CalibrateFile(model, valid, calibrated);

        var before = FloatLstmModel.Load(model);
        var after = FloatLstmModel.Load(calibrated);
        int[] tokens = before.Tokenizer.Encode(File.ReadAllText(valid));
        double runtimeBefore = BitsPerCharEvaluator.Evaluate(before, tokens);
        double runtimeAfter = BitsPerCharEvaluator.Evaluate(after, tokens);
        Assert.InRange(result.ValidBitsPerCharBefore - runtimeBefore, -1e-3, 1e-3);
        Assert.InRange(result.ValidBitsPerCharAfter - runtimeAfter, -1e-3, 1e-3);
        Assert.True(runtimeAfter <= runtimeBefore, $"calibration made validation worse: {runtimeBefore} → {runtimeAfter}");

        // Oracle: the uncalibrated runtime logits divided by T, T·1.05 and T/1.05; T must be the best of the three,
        // and the calibrated model's logits must be the divided ones.
        float[] raw = Logits(before, tokens), folded = Logits(after, tokens);
        int vocab = before.OutputSize;
        double t = result.Temperature;
        for (int i = 0; i < raw.Length; i++)
            Assert.True(Math.Abs(folded[i] - raw[i] / t) <= 1e-4 * (1 + Math.Abs(raw[i])), $"logit {i}: {folded[i]} vs {raw[i] / t}");
        double atT = ScaledBitsPerChar(raw, tokens, vocab, t);
        Assert.True(atT <= ScaledBitsPerChar(raw, tokens, vocab, t * 1.05));
        Assert.True(atT <= ScaledBitsPerChar(raw, tokens, vocab, t / 1.05));

        // The trainer's metadata survives; the calibration is recorded.
        var metadata = SafeTensorsReader.Read(calibrated).Metadata;
        Assert.Equal(SafeTensorsReader.Read(model).Metadata["edgelstm.trainer.epoch"], metadata["edgelstm.trainer.epoch"]);
        Assert.Equal(t, double.Parse(metadata[TemperatureCalibration.TemperatureKey], CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void OverconfidentModelGetsItsScaleBack()
    {
        using var dir = new TempDirectory();
        var (model, valid) = TrainTiny(dir);
        var network = TaskNetworks.Load<LanguageModelNetwork>(model);
        var tokenizer = network.Description.Input.Tokenizer!.Create(model);
        int[] tokens = tokenizer.Encode(File.ReadAllText(valid));
        double natural = TemperatureCalibration.Fit(network, tokens).Temperature;

        network.ScaleLogits(3.0);
        var sharpened = TemperatureCalibration.Fit(network, tokens);

        Assert.InRange(sharpened.Temperature / natural, 3 * (1 - 1e-3), 3 * (1 + 1e-3));
        Assert.True(sharpened.ValidBitsPerCharBefore > sharpened.ValidBitsPerCharAfter + 0.1,
            $"a 3x sharpened model should lose clearly: {sharpened.ValidBitsPerCharBefore} vs {sharpened.ValidBitsPerCharAfter}");
    }

    [Fact]
    public void CliCalibratesInPlaceAndReportsMissingFilesInOneLine()
    {
        using var dir = new TempDirectory();
        var (model, valid) = TrainTiny(dir);

        var ok = CliRunner.RunTrainer("calibrate", "-m", model, "--valid", valid, "-o", model, "--threads", "1");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Matches(@"^temperature \d+\.\d{4}: validation \d+\.\d{4} → \d+\.\d{4} bits/char; model: ", ok.Stdout);
        Assert.True(SafeTensorsReader.Read(model).Metadata.ContainsKey(TemperatureCalibration.TemperatureKey));
        Assert.Matches(@"calibration\.temperature: \d", CliRunner.Run("info", "--model", model).Stdout);

        string trained = dir.File("trained.safetensors");
        var train = CliRunner.RunTrainer("--train", dir.File("train.txt"), "--valid", valid, "-o", trained, "--hidden-size", "16", "--layers", "1",
            "--embedding-dim", "8", "--batch-size", "4", "--seq-len", "32", "--epochs", "1", "--max-batches", "5", "--threads", "1",
            "--calibrate-temperature");
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("temperature ", train.Stdout);
        Assert.True(SafeTensorsReader.Read(trained).Metadata.ContainsKey(TemperatureCalibration.TemperatureKey));

        var missing = CliRunner.RunTrainer("calibrate", "-m", dir.File("none.safetensors"), "--valid", valid, "-o", dir.File("out.safetensors"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
        Assert.Contains("none.safetensors", missing.Stderr);
        Assert.False(File.Exists(dir.File("out.safetensors")));
    }

    private static (string Model, string Valid) TrainTiny(TempDirectory dir)
    {
        TorchFixture.Init(seed: 5);
        string train = dir.File("train.txt"), valid = dir.File("valid.txt"), model = dir.File("m.safetensors");
        File.WriteAllText(train, TestTexts.English(4000, seed: 31));
        File.WriteAllText(valid, TestTexts.English(1500, seed: 32));
        new CharLmTrainer(new TrainOptions
        {
            TrainFile = train, ValidFile = valid, Output = model,
            EmbeddingDim = 8, HiddenSize = 32, Layers = 2, Dropout = 0.1, BatchSize = 4, SeqLen = 32,
            Epochs = 3, MaxBatchesPerEpoch = 20, LearningRate = 1e-2, MinLearningRate = 1e-3, Threads = 1, Quiet = true,
        }).Run(CancellationToken.None);
        return (model, valid);
    }

    private static float[] Logits(FloatLstmModel model, int[] tokens)
    {
        var session = model.CreateReferenceSession();
        var all = new float[(tokens.Length - 1) * model.OutputSize];
        for (int t = 0; t + 1 < tokens.Length; t++) session.Step(tokens[t]).CopyTo(all.AsSpan(t * model.OutputSize));
        return all;
    }

    private static double ScaledBitsPerChar(float[] logits, int[] tokens, int vocab, double temperature)
    {
        var scaled = new float[vocab];
        double nats = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            for (int v = 0; v < vocab; v++) scaled[v] = (float)(logits[t * vocab + v] / temperature);
            nats += BitsPerCharEvaluator.NegativeLogSoftmax(scaled, tokens[t + 1]);
        }
        return nats / (tokens.Length - 1) / Math.Log(2);
    }
}
