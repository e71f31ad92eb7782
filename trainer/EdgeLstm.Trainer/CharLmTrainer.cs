using System.Diagnostics;
using System.Globalization;
using EdgeLstm.Runtime;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// Trains an LSTM language model (characters or words) with truncated BPTT: the training text is cut into BatchSize
/// contiguous streams of tokens, read SeqLen tokens at a time, with h and c carried from one window to the next (detached). Adam,
/// gradient-norm clipping, a cosine learning-rate decay, validation bits/char after each epoch, early stopping.
/// </summary>
public sealed class CharLmTrainer(TrainOptions options)
{
    public sealed record Result(int Epochs, double BestValidBits, bool Interrupted, ITokenizer Tokenizer);

    private string _unit = "bits/char";

    public Result Run(CancellationToken cancel)
    {
        options.Validate();
        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);

        string trainText = ReadText(options.TrainFile);
        string validText = ReadText(options.ValidFile);

        LanguageModelNetwork network;
        ITokenizer tokenizer;
        TrainingCheckpoint progress = new(0, double.PositiveInfinity, 0, 0);
        if (options.Resume)
        {
            progress = TrainingCheckpoint.Load(options.CheckpointDir!);
            (network, tokenizer) = SafeTensorsExport.Load(Path.Combine(options.CheckpointDir!, TrainingCheckpoint.WeightsFile), options.Dropout);
        }
        else if (options.InitFrom is not null)
        {
            (network, tokenizer) = SafeTensorsExport.Load(options.InitFrom, options.Dropout);
        }
        else
        {
            tokenizer = options.Tokenizer == TokenizerKinds.Word
                ? WordTokenizer.Build([trainText], options.MaxVocabulary, options.MinCount, options.Lowercase)
                : CharTokenizer.FromText(trainText, options.MinCount);
            network = new LanguageModelNetwork(new LanguageModelShape(tokenizer.VocabularySize, options.EmbeddingDim, options.HiddenSize, options.Layers, options.Dropout));
        }

        _unit = tokenizer is WordTokenizer ? "bits/word" : "bits/char";
        int[] trainTokens = tokenizer.Encode(trainText);
        int[] validTokens = tokenizer.Encode(validText);
        using var streams = MakeStreams(trainTokens, options.BatchSize);
        long streamLength = streams.shape[1] - 1;
        int batchesPerEpoch = (int)((streamLength + options.SeqLen - 1) / options.SeqLen);
        if (options.MaxBatchesPerEpoch > 0) batchesPerEpoch = Math.Min(batchesPerEpoch, options.MaxBatchesPerEpoch);
        long totalSteps = (long)batchesPerEpoch * options.Epochs;

        using var pruning = options.Prune.Method == EdgeLstm.Converter.PruneMethod.None ? null : new PruningFineTune(network, tokenizer, options.Prune);
        if (pruning is not null) Log($"pruning {options.Prune}: masks fixed, re-applied after every step");
        var optimizer = optim.Adam(network.parameters(), lr: options.LearningRate);
        if (options.Resume)
            optimizer.load_state_dict(Path.Combine(options.CheckpointDir!, TrainingCheckpoint.OptimizerFile));
        if (options.CheckpointDir is not null) Directory.CreateDirectory(options.CheckpointDir);

        Log($"model: vocab {tokenizer.VocabularySize}, embedding {network.Shape.EmbeddingDim}, {network.Shape.Layers}×LSTM {network.Shape.HiddenSize}, " +
            $"{network.parameters().Sum(p => p.numel()):N0} parameters; train {trainTokens.Length:N0} tokens, valid {validTokens.Length:N0} tokens");
        if (progress.EpochsDone > 0) Log($"resuming after epoch {progress.EpochsDone} (best valid {progress.BestValidScore:F4} {_unit})");

        // Last, after everything that draws random numbers while being built: dropout then continues exactly where
        // the checkpointed run left it. (Checkpoints written before rng.bin existed resume re-seeded.)
        string randomState = Path.Combine(options.CheckpointDir ?? "", TrainingCheckpoint.RandomStateFile);
        if (options.Resume && File.Exists(randomState))
        {
            using var state = tensor(File.ReadAllBytes(randomState));
            torch.set_rng_state(state);
        }

        long step = progress.StepsDone;
        for (int epoch = progress.EpochsDone + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            (double trainBitsPerChar, step, bool stopped) = TrainEpoch(network, optimizer, pruning, streams, batchesPerEpoch, epoch, step, totalSteps, cancel);
            if (stopped)
            {
                Log(progress.EpochsDone == 0
                    ? $"interrupted in epoch {epoch}; no epoch had finished, so nothing was saved"
                    : $"interrupted in epoch {epoch}; kept the model and checkpoint of epoch {progress.EpochsDone}");
                return new Result(progress.EpochsDone, progress.BestValidScore, true, tokenizer);
            }
            double valid = CharLmEvaluator.BitsPerChar(network, validTokens);
            bool improved = valid < progress.BestValidScore;
            progress = new TrainingCheckpoint(epoch, improved ? valid : progress.BestValidScore,
                improved ? 0 : progress.EpochsWithoutImprovement + 1, step);
            if (improved)
                SafeTensorsExport.Save(network, tokenizer, options.Output, TrainingMetadata(epoch, valid));
            if (options.CheckpointDir is not null)
            {
                SafeTensorsExport.Save(network, tokenizer, Path.Combine(options.CheckpointDir, TrainingCheckpoint.WeightsFile));
                string optimizerPath = Path.Combine(options.CheckpointDir, TrainingCheckpoint.OptimizerFile);
                optimizer.save_state_dict(optimizerPath + ".tmp");
                File.Move(optimizerPath + ".tmp", optimizerPath, overwrite: true);
                using (var state = torch.get_rng_state())
                    File.WriteAllBytes(randomState + ".tmp", state.data<byte>().ToArray());
                File.Move(randomState + ".tmp", randomState, overwrite: true);
                progress.Save(options.CheckpointDir);
            }
            Log($"epoch {epoch}/{options.Epochs}: train {trainBitsPerChar:F4} {_unit}, valid {valid:F4} {_unit}{(improved ? " (best, saved)" : "")}, " +
                $"lr {CurrentLearningRate(optimizer):G3}, {clock.Elapsed.TotalSeconds:F0} s");
            if (epoch == options.StopAfterEpoch)
            {
                Log($"stopping after epoch {epoch} as asked; continue with --resume");
                break;
            }
            if (progress.EpochsWithoutImprovement >= options.Patience)
            {
                Log($"early stop: no improvement for {options.Patience} epochs");
                break;
            }
        }
        return new Result(progress.EpochsDone, progress.BestValidScore, false, tokenizer);
    }

    private (double BitsPerChar, long Step, bool Stopped) TrainEpoch(LanguageModelNetwork network, optim.Optimizer optimizer, PruningFineTune? pruning, Tensor streams,
        int batches, int epoch, long step, long totalSteps, CancellationToken cancel)
    {
        network.train();
        (Tensor H, Tensor C)? state = null;
        double natsSum = 0;
        long charsSeen = 0;
        bool stopped = false;
        var clock = Stopwatch.StartNew();

        void Body(Action<double, string> report)
        {
            for (int b = 0; b < batches; b++)
            {
                if (cancel.IsCancellationRequested)
                {
                    stopped = true;
                    break;
                }
                SetLearningRate(optimizer, step, totalSteps);
                using var scope = NewDisposeScope();
                long start = (long)b * options.SeqLen;
                long end = Math.Min(start + options.SeqLen, streams.shape[1] - 1);
                var input = streams.narrow(1, start, end - start);
                var target = streams.narrow(1, start + 1, end - start);
                var (logits, h, c) = network.Forward(input, state);
                var loss = nn.functional.cross_entropy(logits.reshape(-1, network.Shape.VocabularySize), target.reshape(-1));
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(network.parameters(), options.Clip);
                optimizer.step();
                pruning?.Apply();
                // Carry the state into the next window, cut from this window's graph.
                state?.H.Dispose();
                state?.C.Dispose();
                state = (h.detach().MoveToOuterDisposeScope(), c.detach().MoveToOuterDisposeScope());
                long chars = input.numel();
                natsSum += loss.item<float>() * chars;
                charsSeen += chars;
                step++;
                double bpc = natsSum / charsSeen / Math.Log(2);
                report((b + 1) * 100.0 / batches,
                    $"epoch {epoch}/{options.Epochs}  loss {loss.item<float>():F3}  {bpc:F3} {_unit}  {charsSeen / clock.Elapsed.TotalSeconds:N0} tokens/s");
            }
        }

        // Without a terminal (a log file), a line every quarter of the epoch instead of the bar.
        double lastLogged = 0;
        EpochProgress.Run($"epoch {epoch}/{options.Epochs}", options.Quiet, Body, (percent, text) =>
        {
            if (!options.Quiet && percent - lastLogged >= 25)
            {
                lastLogged = percent;
                Console.WriteLine($"  {percent,3:F0}%  {text}");
            }
        });
        state?.H.Dispose();
        state?.C.Dispose();
        return (charsSeen == 0 ? double.NaN : natsSum / charsSeen / Math.Log(2), step, stopped);
    }

    /// <summary>Cosine decay from --lr to --min-lr over all the run's steps.</summary>
    private void SetLearningRate(optim.Optimizer optimizer, long step, long totalSteps)
    {
        double progress = Math.Min(1.0, (double)step / Math.Max(1, totalSteps));
        double lr = options.MinLearningRate + 0.5 * (options.LearningRate - options.MinLearningRate) * (1 + Math.Cos(Math.PI * progress));
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }

    private static double CurrentLearningRate(optim.Optimizer optimizer) => optimizer.ParamGroups.First().LearningRate;

    /// <summary>[B, S+1] token streams: stream b is the b-th contiguous slice of the text.</summary>
    private static Tensor MakeStreams(int[] tokens, int batchSize)
    {
        long length = (tokens.Length - 1) / batchSize;
        if (length < 2)
            throw new ArgumentException($"the training text ({tokens.Length} chars) is too short for --batch-size {batchSize}");
        var data = new long[batchSize * (length + 1)];
        for (int b = 0; b < batchSize; b++)
            for (long t = 0; t <= length; t++)
                data[b * (length + 1) + t] = tokens[b * length + t];
        return tensor(data, [batchSize, length + 1]);
    }

    private Dictionary<string, string> TrainingMetadata(int epoch, double valid) => new()
    {
        ["edgelstm.trainer.epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
        ["edgelstm.trainer.valid_bits_per_char"] = valid.ToString("F6", CultureInfo.InvariantCulture),
        ["edgelstm.trainer.train_file"] = Path.GetFileName(options.TrainFile),
        ["edgelstm.trainer.seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        ["edgelstm.trainer.pruning"] = options.Prune.ToString(),
    };

    private static string ReadText(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        string text = File.ReadAllText(path);
        if (text.Length < 2) throw new ArgumentException($"{path}: the text is empty");
        return text;
    }

    private void Log(string line)
    {
        if (!options.Quiet) Console.WriteLine(line);
    }
}
