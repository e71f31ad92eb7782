using System.Diagnostics;

namespace EdgeLstm.Trainer;

/// <summary>
/// A language GAN's adversarial phase (SeqGAN, Yu et al. 2017) from a maximum-likelihood generator: each step samples a
/// batch of texts of the real texts' length from the generator (a newline first, as a poem starts, temperature 1),
/// rewards every token with the <see cref="PrefixDiscriminator"/>'s P(real | prefix up to it) and takes a REINFORCE step
/// (<see cref="PolicyGradient"/>, batch-mean baseline); then <see cref="GanOptions.MleSteps"/> maximum-likelihood steps
/// on real texts (what keeps the generator from drifting into a few texts the discriminator likes), then
/// <see cref="GanOptions.DiscriminatorSteps"/> discriminator steps on real texts against fresh samples. The
/// discriminator first learns the starting generator's samples. An "epoch" is <see cref="GanOptions.StepsPerEpoch"/>
/// generator steps under the shared <see cref="EpochLoop"/> (progress bar, Ctrl-C, checkpoints with the discriminator's
/// state beside the generator's, resume); the schedule is fixed and the last epoch's generator is written: a GAN has no
/// validation score to select on, so each epoch's report shows validation bits/char, BLEU-2 and the discriminator's
/// accuracy instead. The generator runs without dropout throughout, so the policy that samples is the one that is updated.
/// </summary>
public sealed class GanTrainer(GanOptions options)
{
    public sealed record Result(int Epochs, bool Interrupted, bool Paused);

    /// <summary>What each epoch's validation measured.</summary>
    private sealed record Report(double ValidBits, double DiscriminatorAccuracy, double Bleu2, double EndsAtLength);

    private const string DiscriminatorFile = "discriminator.safetensors", DiscriminatorOptimizerFile = "discriminator-optimizer.bin";

    private LanguageModelNetwork _generator = null!;
    private ClassifierNetwork _discriminator = null!;
    private long _newline;
    private long _length;

    public Result Run(CancellationToken cancel)
    {
        options.Start();
        string? dir = options.CheckpointDir;
        _generator = TaskNetworks.Load<LanguageModelNetwork>(options.Resume ? EpochLoop.LastWeights(dir!) : options.GeneratorFile, dropout: 0);
        using var generator = _generator;
        if (generator.Description.Input.Tokenizer!.Create(options.GeneratorFile) is not CharTokenizer tokenizer)
            throw new ArgumentException($"--generator {options.GeneratorFile}: a word model; the GAN trains a character language model");
        if (!tokenizer.TryGetId(new System.Text.Rune('\n'), out int newline))
            throw new ArgumentException($"--generator {options.GeneratorFile}: the model does not know a newline; it was not trained on one text per line");
        _newline = newline;
        using var real = ReadTexts(options.TrainFile, tokenizer, expectedLength: null);
        _length = real.shape[1];
        using var valid = ReadTexts(options.ValidFile, tokenizer, expectedLength: _length);
        int[] validTokens = tokenizer.Encode(File.ReadAllText(options.ValidFile));
        var validReferences = Enumerable.Range(0, (int)valid.shape[0]).Select(i => Row(valid, i, (int)_length - 1)).ToList();
        var bleu = new Bleu(validReferences, 2);

        string? checkpointFiles = options.Resume ? EpochLoop.CheckpointFiles(dir!) : null;
        bool resumed = checkpointFiles is not null && File.Exists(Path.Combine(checkpointFiles, DiscriminatorFile));
        _discriminator = resumed
            ? TaskNetworks.Load<ClassifierNetwork>(Path.Combine(checkpointFiles!, DiscriminatorFile), options.Dropout)
            : TaskNetworks.Create<ClassifierNetwork>(PrefixDiscriminator.Describe(tokenizer, options.DiscriminatorEmbedding, options.DiscriminatorHidden), options.Dropout);
        using var discriminator = _discriminator;
        var discriminatorOptimizer = optim.Adam(discriminator.parameters(), lr: options.DiscriminatorLearningRate);
        if (resumed) discriminatorOptimizer.load_state_dict(Path.Combine(checkpointFiles!, DiscriminatorOptimizerFile));
        var generatorOptimizer = optim.Adam(generator.parameters(), lr: options.LearningRate);

        Log($"generator: vocab {tokenizer.VocabularySize}, {generator.Description.Encoder.Length}×LSTM {generator.Description.Encoder[0].Hidden}, " +
            $"{generator.parameters().Sum(p => p.numel()):N0} parameters; discriminator: LSTM {options.DiscriminatorHidden}, " +
            $"{discriminator.parameters().Sum(p => p.numel()):N0} parameters; {real.shape[0]:N0} real texts of {_length - 1} characters and a newline");
        var loop = new EpochLoop(generator, generatorOptimizer,
            new EpochLoopOptions(options.Epochs, options.Patience, dir, options.Resume, options.StopAfterEpoch, options.Quiet, KeepLast: true,
                SaveCompanions: d =>
                {
                    TaskNetworks.Save(Path.Combine(d, DiscriminatorFile), discriminator);
                    discriminatorOptimizer.save_state_dict(Path.Combine(d, DiscriminatorOptimizerFile));
                }), Log);
        if (options.MleOnly) Log("control run (--mle-only): MLE steps alone, no policy-gradient or discriminator steps");
        if (loop.EpochsDone == 0)
        {
            var start = Validate(validTokens, valid, bleu);
            Log($"start: valid {start.ValidBits:F4} bits/char, BLEU-2 {start.Bleu2:F3} against valid, {start.EndsAtLength:P1} end at {_length - 1} characters");
            if (!options.MleOnly)
            {
                if (!PretrainDiscriminator(real, discriminatorOptimizer, cancel)) return new Result(0, Interrupted: true, Paused: false);
                using var samples = Sample(options.ReportSamples);
                using var heldOut = Rows(valid, options.ReportSamples);
                Log($"discriminator after {options.DiscriminatorPretrainSteps} steps: {PrefixDiscriminator.Accuracy(discriminator, heldOut, samples):P1} right on valid texts against samples");
            }
        }

        var clock = new Stopwatch();
        double meanReward = 0;
        var outcome = loop.Run(
            (epoch, report, cancelled) =>
            {
                clock.Restart();
                (bool completed, meanReward) = TrainEpoch(epoch, real, generatorOptimizer, discriminatorOptimizer, report, cancelled);
                return completed;
            },
            epoch =>
            {
                var r = Validate(validTokens, valid, bleu);
                return (new ValidationScore(r.ValidBits), r);
            },
            (epoch, _, r, _) =>
            {
                TaskNetworks.Save(options.Output, generator, Metadata(epoch, r));
                if (options.DiscriminatorOutput is { } path) TaskNetworks.Save(path, discriminator);
                Log($"epoch {epoch}/{options.Epochs}: " + (options.MleOnly ? "" : $"reward {meanReward:F3}, discriminator {r.DiscriminatorAccuracy:P1} right, ") + $"valid {r.ValidBits:F4} bits/char, " +
                    $"BLEU-2 {r.Bleu2:F3} against valid, {r.EndsAtLength:P1} end at {_length - 1} characters; " +
                    $"{clock.Elapsed.TotalSeconds:F0} s ({options.StepsPerEpoch / clock.Elapsed.TotalSeconds:F2} generator steps/s with the report)");
            }, cancel);
        return new Result(outcome.EpochsDone, outcome.Interrupted, outcome.Paused);
    }

    private bool PretrainDiscriminator(Tensor real, optim.Optimizer optimizer, CancellationToken cancel)
    {
        bool completed = true;
        double lastLogged = 0;
        EpochProgress.Run("discriminator", options.Quiet, report =>
        {
            double loss = 0;
            for (int step = 1; step <= options.DiscriminatorPretrainSteps; step++)
            {
                if (cancel.IsCancellationRequested) { completed = false; return; }
                loss = DiscriminatorStep(real, optimizer);
                report(step * 100.0 / options.DiscriminatorPretrainSteps, $"discriminator on the starting generator's samples: step {step}, loss {loss:F3}");
            }
        }, (percent, text) =>
        {
            if (percent - lastLogged < 25) return;
            lastLogged = percent;
            Log($"  {percent,3:F0}%  {text}");
        });
        if (!completed) Log("interrupted while the discriminator learnt the starting samples; nothing was kept");
        return completed;
    }

    private (bool Completed, double MeanReward) TrainEpoch(int epoch, Tensor real, optim.Optimizer generatorOptimizer, optim.Optimizer discriminatorOptimizer,
        Action<double, string> report, CancellationToken cancel)
    {
        double rewardSum = 0, mleSum = 0, discriminatorSum = 0;
        var clock = Stopwatch.StartNew();
        for (int step = 1; step <= options.StepsPerEpoch; step++)
        {
            if (cancel.IsCancellationRequested) return (false, double.NaN);
            using var scope = NewDisposeScope();
            Tensor? samples = null;
            if (!options.MleOnly)
            {
                samples = Sample(options.BatchSize);
                var rewards = PrefixDiscriminator.RealProbabilities(_discriminator, samples);
                rewardSum += rewards.select(1, -1).mean().item<float>();
                var (logits, _, _) = _generator.Forward(Shifted(samples), null);
                generatorOptimizer.Step(PolicyGradient.Loss(logits, samples, PolicyGradient.Advantages(rewards)), _generator, options.Clip);
            }
            for (int m = 0; m < options.MleSteps; m++)
            {
                var batch = Rows(real, options.BatchSize);
                var (mleLogits, _, _) = _generator.Forward(Shifted(batch), null);
                mleSum += generatorOptimizer.Step(nn.functional.cross_entropy(mleLogits.reshape(-1, mleLogits.shape[2]), batch.reshape(-1)), _generator, options.Clip);
            }
            // The first discriminator step learns the samples just rewarded (drawn before the update: SeqGAN draws
            // afresh, which costs a second sampling pass, a third of a step's time); further steps draw fresh ones.
            for (int k = 0; k < (options.MleOnly ? 0 : options.DiscriminatorSteps); k++) discriminatorSum += DiscriminatorStep(real, discriminatorOptimizer, k == 0 ? samples : null);
            report(step * 100.0 / options.StepsPerEpoch,
                $"epoch {epoch}/{options.Epochs}  " + (options.MleOnly ? "" : $"reward {rewardSum / step:F3}  ") +
                (options.MleSteps > 0 ? $"MLE {mleSum / (step * options.MleSteps) / Math.Log(2):F3} bits/char  " : "") +
                (options.MleOnly ? "" : $"D loss {discriminatorSum / (step * options.DiscriminatorSteps):F3}  ") + $"{step / clock.Elapsed.TotalSeconds:F2} steps/s");
        }
        return (true, rewardSum / options.StepsPerEpoch);
    }

    private double DiscriminatorStep(Tensor real, optim.Optimizer optimizer, Tensor? samples = null)
    {
        using var scope = NewDisposeScope();
        var fake = samples ?? Sample(options.BatchSize);
        _discriminator.train();
        return optimizer.Step(PrefixDiscriminator.Loss(_discriminator, Rows(real, options.BatchSize), fake), _discriminator, options.Clip);
    }

    private Report Validate(int[] validTokens, Tensor valid, Bleu bleu)
    {
        using var scope = NewDisposeScope();
        double bits = CharLmEvaluator.BitsPerChar(_generator, validTokens);
        var samples = Sample(options.ReportSamples);
        double accuracy = options.MleOnly ? double.NaN : PrefixDiscriminator.Accuracy(_discriminator, Rows(valid, options.ReportSamples), samples);
        double bleuSum = 0;
        int endsAtLength = 0;
        for (int i = 0; i < samples.shape[0]; i++)
        {
            int[] row = Row(samples, i, (int)_length);
            int end = Array.IndexOf(row, (int)_newline);
            if (end == row.Length - 1) endsAtLength++;
            bleuSum += bleu.Score(end < 0 ? row : row[..end]);
        }
        return new Report(bits, accuracy, bleuSum / samples.shape[0], (double)endsAtLength / samples.shape[0]);
    }

    /// <summary>[count, length] texts from the generator at temperature 1, each started from a newline and a zero state, without gradients.</summary>
    private Tensor Sample(int count)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = full([count, 1], _newline, dtype: ScalarType.Int64);
        (Tensor H, Tensor C)? state = null;
        var steps = new List<Tensor>();
        for (long t = 0; t < _length; t++)
        {
            var (logits, h, c) = _generator.Forward(input, state);
            input = multinomial(logits.select(1, 0).softmax(1), 1);
            steps.Add(input);
            state = (h, c);
        }
        return cat(steps, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The generator's input for texts [B, T]: a newline, then every token but the last.</summary>
    private Tensor Shifted(Tensor texts) => cat([full([texts.shape[0], 1], _newline, dtype: ScalarType.Int64), texts.narrow(1, 0, texts.shape[1] - 1)], 1);

    /// <summary><paramref name="count"/> rows drawn at random (with replacement, from torch's generator, so a resumed run draws on).</summary>
    private static Tensor Rows(Tensor texts, int count)
    {
        using var index = randint(texts.shape[0], [count], dtype: ScalarType.Int64);
        return texts.index_select(0, index);
    }

    private static int[] Row(Tensor texts, int row, int length)
    {
        using var r = texts[row].narrow(0, 0, length);
        return Array.ConvertAll(r.data<long>().ToArray(), t => (int)t);
    }

    /// <summary>Every line of the file and a newline as token ids [lines, length]; every line must have the same number of characters.</summary>
    private static Tensor ReadTexts(string path, CharTokenizer tokenizer, long? expectedLength)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        var rows = new List<int[]>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            int[] ids = tokenizer.Encode(line + "\n");
            long expected = expectedLength ?? (rows.Count > 0 ? rows[0].Length : ids.Length);
            if (ids.Length != expected)
                throw new ArgumentException($"{path}: line {lineNumber} has {ids.Length - 1} characters, not {expected - 1}; the GAN trains on texts of one length, one per line");
            rows.Add(ids);
        }
        if (rows.Count < 2) throw new ArgumentException($"{path}: fewer than two texts");
        long[] data = new long[rows.Count * rows[0].Length];
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < rows[i].Length; t++) data[i * rows[0].Length + t] = rows[i][t];
        return tensor(data, [rows.Count, rows[0].Length]);
    }

    private Dictionary<string, string> Metadata(int epoch, Report report) => new()
    {
        ["edgelstm.trainer.gan_epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
        ["edgelstm.trainer.generator_start"] = Path.GetFileName(options.GeneratorFile),
        ["edgelstm.trainer.valid_bits_per_char"] = report.ValidBits.ToString("F6", CultureInfo.InvariantCulture),
        ["edgelstm.trainer.seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        ["edgelstm.trainer.gan_control"] = options.MleOnly ? "mle-only" : "adversarial",
    };

    private void Log(string line)
    {
        if (!options.Quiet) Console.WriteLine(line);
    }
}
