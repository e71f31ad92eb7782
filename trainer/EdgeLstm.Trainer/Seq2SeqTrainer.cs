using System.Diagnostics;

namespace EdgeLstm.Trainer;

/// <summary>
/// Trains a <see cref="Seq2SeqNetwork"/> on a pronouncing lexicon's "train" words (every pronunciation of a word is
/// an example), with teacher forcing, cross-entropy, Adam and gradient clipping. After each epoch the greedy word
/// error rate on the "valid" words picks the model kept, and training stops after Patience epochs without a
/// better one (<see cref="EpochLoop"/>, which with a checkpoint directory leaves every epoch resumable). The test
/// words are never read here. Distributed, every rank draws the same global batches and trains its shard of each
/// (<see cref="TrainingSteps.StepShard"/>); see <see cref="DistributedGroup"/>.
/// </summary>
public sealed class Seq2SeqTrainer(Seq2SeqOptions options)
{
    /// <param name="AveragedFrom">The first epoch of the average kept instead of the best epoch (--average-last; the last is <see cref="Epochs"/>), or 0.</param>
    public sealed record Result(Seq2SeqNetwork Network, ModelDescription Description, int Epochs, int BestEpoch, double ValidWer, double ValidPer, bool Interrupted,
        int AveragedFrom = 0);

    public Result Train(IReadOnlyList<LexiconWord> train, IReadOnlyList<LexiconWord> valid, CancellationToken cancel, Action<string>? log = null)
    {
        if (options.Resume) options = (Seq2SeqOptions)options.WithCheckpointBatch(options.CheckpointDir!, log); // the batches depend on it
        options.Start();
        string? from = options.Resume ? EpochLoop.LastWeights(options.CheckpointDir!) : options.InitFrom;
        var network = from is not null
            ? TaskNetworks.Load<Seq2SeqNetwork>(from, options.Dropout)
            : TaskNetworks.Create<Seq2SeqNetwork>(Describe(train), options.Dropout);
        using var int4 = options.Int4Aware ? new Int4FakeQuantization(network) : null;
        if (int4 is not null) log?.Invoke($"int4-aware: {string.Join(", ", int4.Names)} run at their int4 values (straight-through gradients); validation too");
        var description = network.Description;
        var graphemes = description.Input.Tokenizer!.Create("model");
        var phonemes = description.Head.Labels;
        var examples = Examples(train, graphemes, phonemes);
        var optimizer = optim.Adam(network.parameters(), lr: options.LearningRate);
        var loop = new EpochLoop(network, optimizer,
            new EpochLoopOptions(options.Epochs, options.Patience, options.CheckpointDir, options.Resume, options.StopAfterEpoch, log is null, options.Group,
                options.GlobalBatchSize, KeepEpochs: Math.Max(1, options.AverageLast)), log);
        // --lr given on resume sets the rate from here on (Adam's moments are kept).
        foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRate;
        var minibatches = new Minibatches(examples.Count, options.GlobalBatchSize, options.Seed + loop.EpochsDone,
            options.LengthBuckets ? examples.Select(e => Math.Max(e.Graphemes.Length, e.Phonemes.Length + 1)).ToArray() : null);
        double trainLoss = 0;
        var clock = new Stopwatch();
        var outcome = loop.Run((epoch, report, stop) =>
        {
            clock.Restart();
            double loss = 0;
            int batches = 0;
            int done = 0;
            foreach (int[] batch in minibatches.NextEpoch())
            {
                if (stop.IsCancellationRequested) return false;
                using var scope = NewDisposeScope();
                int4?.Quantize();
                loss += optimizer.StepShard(network, options.Group, batch, mine =>
                {
                    var (tokens, lengths, previous, target) = Batch(examples, mine);
                    var logits = network.Forward(tokens, lengths, previous);
                    // A mean over the real targets (padding ignored): the ranks' weigh by their phonemes + </s>.
                    return (nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1), ignore_index: DecoderDescription.PadId,
                        label_smoothing: options.LabelSmoothing), mine.Sum(row => examples[row].Phonemes.Length + 1L));
                }, clip: 5.0, int4 is null ? null : int4.Restore).Mean;
                batches++;
                done += batch.Length;
                report(done * 100.0 / minibatches.Rows, $"epoch {epoch}: {done:N0}/{minibatches.Rows:N0} examples, loss {loss / batches:F4}");
            }
            trainLoss = loss / Math.Max(1, batches);
            return true;
        },
        epoch =>
        {
            int4?.Quantize();
            try
            {
                var (wer, per) = Score(network, valid, graphemes, phonemes);
                return (new ValidationScore(wer), (double?)per);
            }
            finally { int4?.Restore(); }
        },
        (epoch, score, per, best) => log?.Invoke($"epoch {epoch}: train loss {trainLoss:F4}, valid WER {score.Value:F2}%, PER {per:F2}%{(best ? " *" : "")}, {clock.Elapsed.TotalSeconds:F0} s{options.Group.AllReduceTiming}"),
        cancel,
        (epoch, best) =>
        {
            if (best || !options.HalveLearningRate) return;
            // An epoch that did not improve: halve the rate (as ReduceLROnPlateau with factor 0.5, patience 0), on every rank.
            foreach (var group in optimizer.ParamGroups) group.LearningRate *= 0.5;
            log?.Invoke($"  learning rate now {optimizer.ParamGroups.First().LearningRate:G3}");
        });
        // The best epoch's PER is known when it ran in this process; after a resume, score it again (rank 0: the others report nothing).
        double bestPer = outcome.BestEpoch == 0 || !options.Group.IsRoot ? double.NaN : outcome.BestDetail ?? Score(network, valid, graphemes, phonemes).Per;
        var result = new Result(network, description, outcome.EpochsDone, outcome.BestEpoch, outcome.Best.Value, bestPer, outcome.Interrupted || outcome.Paused);
        return options.AverageLast > 1 && !result.Interrupted && options.Group.IsRoot ? AverageIfBetter(result, valid, graphemes, phonemes, log) : result;
    }

    /// <summary>
    /// Checkpoint averaging: the mean of the last <see cref="Seq2SeqOptions.AverageLast"/> epochs' weights, scored greedy on
    /// the valid words like every epoch, replaces the best epoch's weights only if its WER is lower (the test words are not read).
    /// </summary>
    private Result AverageIfBetter(Result best, IReadOnlyList<LexiconWord> valid, ITokenizer graphemes, string[] phonemes, Action<string>? log)
    {
        var files = EpochLoop.RecentWeights(options.CheckpointDir!, best.Epochs, options.AverageLast);
        if (files.Count < options.AverageLast)
        {
            log?.Invoke($"--average-last {options.AverageLast}: the checkpoint keeps {files.Count} of those epochs' weights; not averaged");
            return best;
        }
        int first = best.Epochs - files.Count + 1;
        string path = Path.Combine(options.CheckpointDir!, "average.safetensors");
        CheckpointAverage.Write(files, path, $"average of epochs {first}..{best.Epochs}");
        var mean = SafeTensorsReader.Read(path);
        using var averaged = TaskNetworks.Load<Seq2SeqNetwork>(path, dropout: 0);
        var (wer, per) = Score(averaged, valid, graphemes, phonemes);
        bool better = wer < best.ValidWer;
        log?.Invoke($"average of epochs {first}..{best.Epochs}: valid WER {wer:F2}%, PER {per:F2}%; best epoch {best.BestEpoch}: {best.ValidWer:F2}%; " +
            $"keeping {(better ? "the average" : "the best epoch")}");
        if (!better) return best;
        TaskNetworks.CopyWeights(mean, best.Network);
        return best with { ValidWer = wer, ValidPer = per, AveragedFrom = first };
    }

    private static Dictionary<string, string> Metadata(int epoch, double wer, double per) => new()
    {
        ["edgelstm.trainer.epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["edgelstm.trainer.valid_wer"] = wer.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
        ["edgelstm.trainer.valid_per"] = per.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Graphemes from the training words (U+FFFD first, as char tokenizers have it); output tokens &lt;pad&gt;, &lt;s&gt;, &lt;/s&gt; and the phonemes.</summary>
    public ModelDescription Describe(IReadOnlyList<LexiconWord> train)
    {
        var tokenizer = CharTokenizer.FromText(string.Concat(train.Select(w => w.Word)));
        string[] symbols = train.SelectMany(w => w.Pronunciations.SelectMany(p => p)).Select(Symbol).Distinct().Order(StringComparer.Ordinal).ToArray();
        int longest = train.Max(w => w.Pronunciations.Max(p => p.Length));
        return new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = options.EmbeddingDim, Tokenizer = tokenizer.ToDescription() },
            Encoder = Enumerable.Range(0, options.EncoderLayers).Select(_ => new EncoderLayerDescription { Hidden = options.EncoderHidden, Bidirectional = true }).ToArray(),
            Head = new HeadDescription
            {
                Kind = HeadKinds.AttentionDecoder, Size = symbols.Length + 3, Labels = ["<pad>", "<s>", "</s>", .. symbols],
                Decoder = new DecoderDescription { Embedding = options.DecoderEmbedding, Hidden = options.DecoderHidden, MaxSteps = longest + 10 },
            },
        };
    }

    private string Symbol(string phoneme) => options.Stress ? phoneme : PronunciationLexicon.WithoutStress(phoneme);

    private List<(int[] Graphemes, int[] Phonemes)> Examples(IReadOnlyList<LexiconWord> words, ITokenizer graphemes, string[] phonemes)
    {
        var index = phonemes.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        var examples = new List<(int[], int[])>();
        foreach (var w in words)
        {
            int[] g = graphemes.Encode(w.Word);
            foreach (var p in w.Pronunciations) examples.Add((g, p.Select(s => index[Symbol(s)]).ToArray()));
        }
        return examples;
    }

    /// <summary>Padded graphemes [B, T] and lengths; decoder inputs &lt;s&gt; p₁…pₙ and targets p₁…pₙ &lt;/s&gt;, [B, U], padded with 0.</summary>
    private static (Tensor Tokens, Tensor Lengths, Tensor Previous, Tensor Target) Batch(List<(int[] Graphemes, int[] Phonemes)> examples, int[] rows)
    {
        int t = rows.Max(r => examples[r].Graphemes.Length), u = rows.Max(r => examples[r].Phonemes.Length) + 1;
        var tokens = new long[rows.Length * t];
        var lengths = new long[rows.Length];
        var previous = new long[rows.Length * u];
        var target = new long[rows.Length * u];
        for (int b = 0; b < rows.Length; b++)
        {
            var (g, p) = examples[rows[b]];
            for (int j = 0; j < g.Length; j++) tokens[b * t + j] = g[j];
            lengths[b] = g.Length;
            previous[b * u] = DecoderDescription.StartId;
            for (int j = 0; j < p.Length; j++)
            {
                previous[b * u + j + 1] = p[j];
                target[b * u + j] = p[j];
            }
            target[b * u + p.Length] = DecoderDescription.EndId;
        }
        return (tensor(tokens, [rows.Length, t]), tensor(lengths), tensor(previous, [rows.Length, u]), tensor(target, [rows.Length, u]));
    }

    /// <summary>Greedy WER and PER (in percent) of the network on <paramref name="words"/>, in batches of 256.</summary>
    public (double Wer, double Per) Score(Seq2SeqNetwork network, IReadOnlyList<LexiconWord> words, ITokenizer graphemes, string[] phonemes)
    {
        network.eval();
        var metrics = new TransductionMetrics();
        for (int start = 0; start < words.Count; start += 256)
        {
            using var scope = NewDisposeScope();
            var batch = words.Skip(start).Take(256).ToArray();
            int t = batch.Max(w => w.Word.Length);
            var tokens = new long[batch.Length * t];
            var lengths = new long[batch.Length];
            for (int b = 0; b < batch.Length; b++)
            {
                int[] g = graphemes.Encode(batch[b].Word);
                for (int j = 0; j < g.Length; j++) tokens[b * t + j] = g[j];
                lengths[b] = g.Length;
            }
            int[][] outputs = network.Greedy(tensor(tokens, [batch.Length, t]), tensor(lengths));
            for (int b = 0; b < batch.Length; b++)
                metrics.Add(outputs[b].Select(id => phonemes[id]).ToArray(), batch[b].Pronunciations.Select(p => p.Select(Symbol).ToArray()).ToArray());
        }
        network.train();
        return (metrics.Wer, metrics.Per);
    }
}
