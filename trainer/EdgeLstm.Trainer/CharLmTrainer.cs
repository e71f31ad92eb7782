using System.Diagnostics;
using Spectre.Console;

namespace EdgeLstm.Trainer;

/// <summary>
/// Trains an LSTM language model (characters or words) with truncated BPTT: the training text is cut into BatchSize
/// contiguous streams of tokens, read SeqLen tokens at a time, with h and c carried from one window to the next (detached). Adam,
/// gradient-norm clipping, a cosine learning-rate decay, validation bits/char after each epoch, early stopping.
/// Distributed over N ranks, the text is cut into N × BatchSize streams (as one process with batch N × BatchSize would
/// cut it) and rank r trains streams [r·B, (r+1)·B), carrying their states; see <see cref="DistributedGroup"/>.
/// </summary>
public sealed class CharLmTrainer(TrainOptions options)
{
    public sealed record Result(int Epochs, double BestValidBits, bool Interrupted, ITokenizer Tokenizer);

    private string _unit = "bits/char";
    private double _tokensPerSecond; // the last epoch's training tokens (every rank's) per second

    public Result Run(CancellationToken cancel)
    {
        if (options.Resume) options = (TrainOptions)options.WithCheckpointBatch(options.CheckpointDir!, Log); // the text's streams depend on it
        options.Start();

        string trainText = ReadText(options.TrainFile);
        string validText = ReadText(options.ValidFile);

        LanguageModelNetwork network;
        ITokenizer tokenizer;
        string? from = options.Resume ? EpochLoop.LastWeights(options.CheckpointDir!) : options.InitFrom;
        if (from is not null)
        {
            network = TaskNetworks.Load<LanguageModelNetwork>(from, options.Dropout);
            tokenizer = network.Description.Input.Tokenizer!.Create(from);
        }
        else
        {
            tokenizer = options.Tokenizer == TokenizerKinds.Word
                ? WordTokenizer.Build([trainText], options.MaxVocabulary, options.MinCount, options.Lowercase)
                : CharTokenizer.FromText(trainText, options.MinCount);
            network = TaskNetworks.Create<LanguageModelNetwork>(
                LanguageModelNetwork.Describe(tokenizer, options.EmbeddingDim, options.HiddenSize, options.Layers), options.Dropout);
        }
        if (options.InitEmbedding is not null)
        {
            int found = EmbeddingInitialization.Apply(network, (WordTokenizer)tokenizer, options.InitEmbedding, options.FreezeEmbedding);
            Log($"embedding: {found:N0} of {tokenizer.VocabularySize - 2:N0} words from the vectors ({(options.FreezeEmbedding ? "frozen" : "fine-tuned")}), the rest random");
        }

        _unit = tokenizer is WordTokenizer ? "bits/word" : "bits/char";
        int[] trainTokens = tokenizer.Encode(trainText);
        int[] validTokens = tokenizer.Encode(validText);
        using var allStreams = MakeStreams(trainTokens, options.GlobalBatchSize);
        using var streams = allStreams.narrow(0, (long)options.Group.Rank * options.BatchSize, options.BatchSize);
        long streamLength = streams.shape[1] - 1;
        int batchesPerEpoch = (int)((streamLength + options.SeqLen - 1) / options.SeqLen);
        if (options.MaxBatchesPerEpoch > 0) batchesPerEpoch = Math.Min(batchesPerEpoch, options.MaxBatchesPerEpoch);
        long totalSteps = (long)batchesPerEpoch * options.Epochs;

        using var pruning = options.Prune.Method == EdgeLstm.Converter.PruneMethod.None ? null : new PruningFineTune(network, options.Prune);
        if (pruning is not null) Log($"pruning {options.Prune}: masks fixed, re-applied after every step");
        using var int4 = options.Int4Aware ? new Int4FakeQuantization(network) : null;
        if (int4 is not null) Log($"int4-aware: {string.Join(", ", int4.Names)} run at their int4 values (straight-through gradients); validation too");
        var optimizer = optim.Adam(network.parameters().Where(p => p.requires_grad), lr: options.LearningRate);
        var loop = new EpochLoop(network, optimizer,
            new EpochLoopOptions(options.Epochs, options.Patience, options.CheckpointDir, options.Resume, options.StopAfterEpoch, options.Quiet, options.Group,
                options.GlobalBatchSize), Log);
        var d = network.Description;
        Log($"model: vocab {tokenizer.VocabularySize}, embedding {d.Input.Size}, {d.Encoder.Length}×LSTM {d.Encoder[0].Hidden}, " +
            $"{network.parameters().Sum(p => p.numel()):N0} parameters; train {trainTokens.Length:N0} tokens, valid {validTokens.Length:N0} tokens");

        double trainBits = double.NaN;
        var clock = new Stopwatch();
        var outcome = loop.Run(
            (epoch, report, cancelled) =>
            {
                clock.Restart();
                (trainBits, bool completed) = TrainEpoch(network, optimizer, pruning, int4, streams, batchesPerEpoch, epoch, totalSteps, report, cancelled);
                return completed;
            },
            epoch =>
            {
                int4?.Quantize();
                try { return (new ValidationScore(CharLmEvaluator.BitsPerChar(network, validTokens)), 0); }
                finally { int4?.Restore(); }
            },
            (epoch, score, _, best) =>
            {
                if (best) TaskNetworks.Save(options.Output, network, TrainingMetadata(epoch, score.Value));
                Log($"epoch {epoch}/{options.Epochs}: train {trainBits:F4} {_unit}, valid {score.Value:F4} {_unit}{(best ? " (best, saved)" : "")}, " +
                    $"lr {CurrentLearningRate(optimizer):G3}, {clock.Elapsed.TotalSeconds:F0} s ({_tokensPerSecond:F0} tokens/s{options.Group.AllReduceTiming})");
            }, cancel);
        return new Result(outcome.EpochsDone, outcome.Best.Value, outcome.Interrupted, tokenizer);
    }

    /// <summary>One epoch of truncated BPTT over the streams; the mean training bits per token, and false if cancelled.</summary>
    private (double BitsPerChar, bool Completed) TrainEpoch(LanguageModelNetwork network, optim.Optimizer optimizer, PruningFineTune? pruning,
        Int4FakeQuantization? int4, Tensor streams,
        int batches, int epoch, long totalSteps, Action<double, string> report, CancellationToken cancel)
    {
        (Tensor H, Tensor C)? state = null;
        double natsSum = 0;
        long charsSeen = 0;
        var clock = Stopwatch.StartNew();
        // An epoch's steps are numbered as in an unbroken run, so a resumed run's learning rate continues the schedule.
        long step = (long)(epoch - 1) * batches;
        try
        {
            for (int b = 0; b < batches; b++, step++)
            {
                if (cancel.IsCancellationRequested) return (double.NaN, false);
                SetLearningRate(optimizer, step, totalSteps);
                using var scope = NewDisposeScope();
                long start = (long)b * options.SeqLen;
                long end = Math.Min(start + options.SeqLen, streams.shape[1] - 1);
                var input = streams.narrow(1, start, end - start);
                var target = streams.narrow(1, start + 1, end - start);
                int4?.Quantize();
                var (logits, h, c) = network.Forward(input, state);
                float loss = optimizer.Step(nn.functional.cross_entropy(logits.reshape(-1, network.OutputSize), target.reshape(-1)), network, options.Clip,
                    int4 is null ? null : int4.Restore, options.Group, weight: input.numel());
                pruning?.Apply();
                // Carry the state into the next window, cut from this window's graph.
                state?.H.Dispose();
                state?.C.Dispose();
                state = (h.detach().MoveToOuterDisposeScope(), c.detach().MoveToOuterDisposeScope());
                long chars = input.numel() * options.Group.Size; // every rank's shard has as many tokens; the loss is their mean
                natsSum += loss * chars;
                charsSeen += chars;
                double bpc = natsSum / charsSeen / Math.Log(2);
                report((b + 1) * 100.0 / batches,
                    $"epoch {epoch}/{options.Epochs}  loss {loss:F3}  {bpc:F3} {_unit}  {charsSeen / clock.Elapsed.TotalSeconds:N0} tokens/s");
            }
        }
        finally
        {
            state?.H.Dispose();
            state?.C.Dispose();
        }
        _tokensPerSecond = charsSeen / clock.Elapsed.TotalSeconds;
        return (charsSeen == 0 ? double.NaN : natsSum / charsSeen / Math.Log(2), true);
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
        if (!options.Quiet && options.Group.IsRoot) Console.WriteLine(line);
    }
}
