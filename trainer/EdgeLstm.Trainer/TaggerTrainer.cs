namespace EdgeLstm.Trainer;

/// <summary>
/// Trains a tagger — a <see cref="ClassifierNetwork"/> with pooling none (a tag head, optionally a CRF) — either as a
/// punctuation restorer over characters (<see cref="Train"/>) or over the words of CoNLL sentences (<see cref="TrainWords"/>).
/// For the restorer, each punctuated line is stripped of the marks (<see cref="PunctuationTags.Strip"/>) and every character tagged
/// with the mark after it. Training cuts lines into windows of at most <see cref="TaggerOptions.Window"/>
/// characters; validation runs whole lines. Adam, shuffled batches, cross-entropy over real steps; the epoch with
/// the best validation mark F1 (mean F1 of the marks, "none" left out) is kept. Test text is never seen here.
/// The network's padding index is 0, which for characters is the unknown token: rare characters embed as zeros.
/// <paramref name="cancel"/> (Ctrl-C, SIGTERM: <see cref="TrainingInterrupt"/>) stops after the current batch with the
/// best epoch so far kept (<see cref="Result.Interrupted"/>; <see cref="Result.Valid"/> is null if no epoch had finished);
/// distributed, it must be the group's agreed token (<see cref="DistributedGroup.StopToken"/>). Distributed, every rank draws
/// the same global batches and trains its shard of each (<see cref="TrainingSteps.StepShard"/>); see <see cref="DistributedGroup"/>.
/// </summary>
public sealed class TaggerTrainer(TaggerOptions options, CancellationToken cancel = default)
{
    public sealed record Result(ClassifierNetwork Network, ITokenizer Tokenizer, string[] Labels, int Epochs, int BestEpoch, ClassificationMetrics? Valid, bool Interrupted);

    /// <summary>A punctuation restorer from punctuated lines: a tag per character, the epoch picked by mark F1.</summary>
    public Result Train(IReadOnlyList<string> train, IReadOnlyList<string> valid, string[] labels, Action<string>? log = null)
    {
        options.Start();
        var trainTagged = train.Select(line => PunctuationTags.Strip(line, labels)).ToList();
        var validTagged = valid.Select(line => PunctuationTags.Strip(line, labels)).ToList();
        var tokenizer = CharTokenizer.FromText(string.Concat(trainTagged.Select(t => t.Text)), options.MinCount);
        var (trainIds, trainTags) = Windows(trainTagged, tokenizer, options.Window);
        var (validIds, validTags) = Windows(validTagged, tokenizer, int.MaxValue);
        return Fit(tokenizer, null, null, (trainIds, null, null), trainTags, (validIds, null, null), validTags, labels, "mark F1", MarkF1,
            m => $" ({string.Join(", ", Enumerable.Range(1, labels.Length - 1).Select(c => $"{labels[c]} {m.F1[c]:F3}"))})", log);
    }

    /// <summary>
    /// A word tagger from CoNLL sentences: words (pre-tokenized; `--lowercase`, `--zero-digits`, with `--affixes` each
    /// word's hashed prefixes, suffixes and shape beside it) with a tag each, whole sentences as rows, the epoch picked
    /// by token accuracy. Labels: every label of the training and validation sentences, in ordinal order.
    /// </summary>
    public Result TrainWords(IReadOnlyList<Runtime.Tagging.TaggedSentence> train, IReadOnlyList<Runtime.Tagging.TaggedSentence> valid, Action<string>? log = null)
    {
        options.Start();
        var tokenizer = WordTokenizer.Build(train.Select(s => string.Join(' ', s.Tokens)), options.MaxVocabulary, options.MinCount, options.Lowercase,
            whitespace: true, zeroDigits: options.ZeroDigits, unknownShapes: options.UnknownShapes);
        string[] labels = train.Concat(valid).SelectMany(s => s.Labels).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        (int[][], int[][]) Rows(IReadOnlyList<Runtime.Tagging.TaggedSentence> sentences) => (
            sentences.Select(s => tokenizer.Encode(string.Join(' ', s.Tokens))).ToArray(),
            sentences.Select(s => Array.ConvertAll(s.Labels, l => index[l])).ToArray());
        var (trainIds, trainTags) = Rows(train);
        var (validIds, validTags) = Rows(valid);
        AffixDescription? affixes = options.Affixes
            ? new AffixDescription { Buckets = options.AffixBuckets, Size = options.AffixSize, Prefixes = options.Prefixes, Suffixes = options.Suffixes, Shape = true }
            : null;
        int[][]? Affixes(IReadOnlyList<Runtime.Tagging.TaggedSentence> sentences) => affixes is null ? null
            : sentences.Select(s => new WordAffixes(affixes).Encode(tokenizer.Surface(string.Join(' ', s.Tokens)))).ToArray();
        // Characters seen at least --min-count times in the training words; the rest read as id 0 (U+FFFD).
        CharTokenizer? characters = options.CharEncoder ? CharTokenizer.FromText(string.Concat(train.SelectMany(s => s.Tokens)), options.MinCount) : null;
        CharacterEncoderDescription? charDescription = characters is null ? null
            : new CharacterEncoderDescription { Vocabulary = characters.ToDescription().Vocabulary, Size = options.CharSize, Hidden = options.CharHidden };
        int[][][]? Chars(IReadOnlyList<Runtime.Tagging.TaggedSentence> sentences) => characters is null ? null
            : sentences.Select(s => CharacterWordEncoder.Ids(characters, tokenizer.Surface(string.Join(' ', s.Tokens)))).ToArray();
        return Fit(tokenizer, affixes, charDescription, (trainIds, Affixes(train), Chars(train)), trainTags, (validIds, Affixes(valid), Chars(valid)), validTags, labels,
            "accuracy", m => m.Accuracy, _ => "", log);
    }

    private Result Fit(ITokenizer tokenizer, AffixDescription? affixes, CharacterEncoderDescription? characters, (int[][] Ids, int[][]? Affixes, int[][][]? Chars) train,
        int[][] trainTags, (int[][] Ids, int[][]? Affixes, int[][][]? Chars) valid, int[][] validTags, string[] labels, string scoreName, Func<ClassificationMetrics, double> score, Func<ClassificationMetrics, string> detail, Action<string>? log)
    {
        int[][] trainIds = train.Ids, validIds = valid.Ids;
        if (options.Resume) options = (TaggerOptions)options.WithCheckpointBatch(options.CheckpointDir!, log); // the batches depend on it
        var description = ClassifierNetwork.Describe(tokenizer, options.EmbeddingDim, options.HiddenSize, options.Layers,
            options.Bidirectional, Poolings.None, labels, crf: options.Crf, affixes: affixes, characters: characters);
        var network = options.Resume ? Resumed(description) : TaskNetworks.Create<ClassifierNetwork>(description, options.Dropout);
        log?.Invoke($"tagger: vocab {tokenizer.VocabularySize}, embedding {options.EmbeddingDim}{(affixes is null ? "" : $" + affixes {affixes.Size} ({affixes.Buckets:N0} buckets)")}" +
            $"{(characters is null ? "" : $" + characters 2×{characters.Hidden} ({characters.Vocabulary.Length} characters of {characters.Size})")}, {options.Layers}×{(options.Bidirectional ? "BiLSTM" : "LSTM")} {options.HiddenSize}, " +
            $"{network.parameters().Sum(p => p.numel()):N0} parameters; {trainIds.Length:N0} training windows, {validIds.Length:N0} validation lines");
        var optimizer = optim.Adam(network.parameters(), lr: options.LearningRate);
        var minibatches = new Minibatches(trainIds.Length, options.GlobalBatchSize, options.Seed, options.LengthBuckets ? Array.ConvertAll(trainIds, t => t.Length) : null);
        double trainLoss = 0, windowsPerSecond = 0;
        var loop = new EpochLoop(network, optimizer, new EpochLoopOptions(options.Epochs, options.Patience, options.CheckpointDir, options.Resume,
            options.StopAfterEpoch, log is null, options.Group, options.GlobalBatchSize), log);
        minibatches.SkipEpochs(loop.EpochsDone);
        var outcome = loop.Run((epoch, report, _) =>
        {
            double lossSum = 0;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            long steps = 0;
            int done = 0;
            foreach (int[] batch in minibatches.NextEpoch())
            {
                if (cancel.IsCancellationRequested) return false;
                using var scope = NewDisposeScope();
                var step = optimizer.StepShard(network, options.Group, batch, mine =>
                {
                    var (tokens, lengths) = ClassifierTrainer.Batch(trainIds, mine);
                    var target = Targets(trainTags, mine, (int)tokens.shape[1]);
                    var logits = network.ForwardSteps(tokens, lengths, ClassifierTrainer.AffixBatch(train.Affixes, mine, (int)tokens.shape[1], affixes),
                        ClassifierTrainer.CharBatch(train.Chars, mine, (int)tokens.shape[1]));
                    var objective = network.Crf is { } crf ? crf.Loss(logits, target)
                        : nn.functional.cross_entropy(logits.reshape(-1, labels.Length), target.reshape(-1), ignore_index: -100);
                    // Both losses are means over the real steps, so the ranks' are weighted by their real steps.
                    return (objective, mine.Sum(row => (long)trainIds[row].Length));
                });
                lossSum += step.Mean * step.Weight;
                steps += (long)step.Weight;
                done += batch.Length;
                report(done * 100.0 / minibatches.Rows, $"epoch {epoch}/{options.Epochs}  {done:N0}/{minibatches.Rows:N0} windows  loss {lossSum / steps:F4}");
            }
            trainLoss = lossSum / steps;
            windowsPerSecond = minibatches.Rows / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            return true;
        },
        _ =>
        {
            var metrics = Evaluate(network, validIds, valid.Affixes, valid.Chars, validTags, labels);
            return (new ValidationScore(-score(metrics)), metrics); // the higher score
        },
        (epoch, value, metrics, best) => log?.Invoke($"epoch {epoch}: train loss {trainLoss:F4}, valid {scoreName} {-value.Value:F4}" +
            $"{detail(metrics)}{(best ? " *" : "")} ({windowsPerSecond:F0} rows/s{options.Group.AllReduceTiming})"), cancel);
        // A best epoch from before a resume has no metrics in this run: score its weights (now the network's) again (rank 0's, who reports).
        var bestMetrics = outcome.BestDetail ?? (outcome.EpochsDone > 0 && options.Group.IsRoot ? Evaluate(network, validIds, valid.Affixes, valid.Chars, validTags, labels) : null);
        return new Result(network, tokenizer, labels, outcome.EpochsDone, outcome.BestEpoch, bestMetrics, outcome.Interrupted);
    }

    /// <summary>The checkpoint's network, which must be the one these files and options describe (same vocabulary, labels and sizes).</summary>
    private ClassifierNetwork Resumed(ModelDescription description)
    {
        var network = TaskNetworks.Load<ClassifierNetwork>(EpochLoop.LastWeights(options.CheckpointDir!), options.Dropout);
        if (network.Description.ToJson() == description.ToJson()) return network;
        network.Dispose();
        throw new ArgumentException($"--resume: the checkpoint in {options.CheckpointDir} is another model than these files and options make " +
            "(vocabulary, labels or sizes differ); resume with the data and options it was started with");
    }

    /// <summary>Mean F1 over the marks (labels 1..), the figure the epoch is picked by.</summary>
    public static double MarkF1(ClassificationMetrics metrics) => metrics.F1.AsSpan(1).ToArray().Average();

    /// <summary>Token ids and tags, each line cut into windows of at most <paramref name="window"/> characters (empty lines dropped).</summary>
    private static (int[][] Ids, int[][] Tags) Windows(List<(string Text, int[] Labels)> lines, CharTokenizer tokenizer, int window)
    {
        var ids = new List<int[]>();
        var tags = new List<int[]>();
        foreach (var (text, labels) in lines)
        {
            int[] encoded = tokenizer.Encode(text);
            for (int start = 0; start < encoded.Length; start += window)
            {
                int length = Math.Min(window, encoded.Length - start);
                ids.Add(encoded.AsSpan(start, length).ToArray());
                tags.Add(labels.AsSpan(start, length).ToArray());
            }
        }
        return (ids.ToArray(), tags.ToArray());
    }

    /// <summary>Tags [B, Tmax] with −100 (ignored by the loss) past each row's length.</summary>
    private static Tensor Targets(int[][] tags, int[] rows, int longest)
    {
        var target = new long[rows.Length * longest];
        Array.Fill(target, -100L);
        for (int b = 0; b < rows.Length; b++)
        {
            int[] t = tags[rows[b]];
            for (int j = 0; j < t.Length; j++) target[b * longest + j] = t[j];
        }
        return tensor(target, [rows.Length, longest]);
    }

    private static ClassificationMetrics Evaluate(ClassifierNetwork network, int[][] ids, int[][]? affixes, int[][][]? chars, int[][] tags, string[] labels)
    {
        int[][] predicted = Predict(network, ids, affixes, chars);
        return new ClassificationMetrics(labels, tags.SelectMany(t => t).ToArray(), predicted.SelectMany(p => p).ToArray());
    }

    /// <summary>
    /// Each row's tags: per-step argmax, or with a CRF the Viterbi path the runtime decodes (eval mode, batches of 64).
    /// <paramref name="affixes"/>: each row's affix ids for a network with input.affixes (<see cref="WordAffixes"/>);
    /// <paramref name="chars"/>: each row's words' character ids for one with input.characters (<see cref="CharacterWordEncoder.Ids"/>).
    /// </summary>
    public static int[][] Predict(ClassifierNetwork network, int[][] ids, int[][]? affixes = null, int[][][]? chars = null)
    {
        network.eval();
        var crf = network.Crf?.Snapshot();
        int size = network.Description.Head.Size;
        var predicted = new int[ids.Length][];
        using (no_grad())
        {
            for (int start = 0; start < ids.Length; start += 64)
            {
                using var scope = NewDisposeScope();
                int[] rows = Enumerable.Range(start, Math.Min(64, ids.Length - start)).ToArray();
                var (tokens, lengths) = ClassifierTrainer.Batch(ids, rows);
                int longest = (int)tokens.shape[1];
                var affixIds = ClassifierTrainer.AffixBatch(affixes, rows, longest, network.Description.Input.Affixes);
                float[] scores = network.ForwardSteps(tokens, lengths, affixIds, ClassifierTrainer.CharBatch(chars, rows, longest)).contiguous().data<float>().ToArray();
                for (int b = 0; b < rows.Length; b++)
                {
                    int length = ids[rows[b]].Length;
                    var emissions = new ReadOnlySpan<float>(scores, b * longest * size, length * size);
                    if (crf is not null) predicted[rows[b]] = crf.Decode(emissions);
                    else
                    {
                        predicted[rows[b]] = new int[length];
                        for (int j = 0; j < length; j++) predicted[rows[b]][j] = ClassificationMetrics.ArgMax(emissions.Slice(j * size, size));
                    }
                }
            }
        }
        network.train();
        return predicted;
    }
}
