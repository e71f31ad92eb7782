namespace EdgeLstm.Trainer;

/// <summary>
/// Trains a <see cref="ClassifierNetwork"/> on labelled texts: a word vocabulary from the training texts, Adam,
/// shuffled batches, cross-entropy; after each epoch the validation accuracy (ties: lower loss) picks the model
/// kept, and training stops after <see cref="ClassifierOptions.Patience"/> epochs without a better one. The test
/// texts are never seen here. Distributed, every rank draws the same global batches (GlobalBatchSize rows, from the
/// seed) and trains its contiguous shard of each (<see cref="TrainingSteps.StepShard"/>); see <see cref="DistributedGroup"/>.
/// </summary>
public sealed class ClassifierTrainer(ClassifierOptions options)
{
    /// <param name="Interrupted">Stopped by <c>stop</c> (Ctrl-C, SIGTERM) mid-epoch: the network holds the best finished epoch, or its first weights when <see cref="Epochs"/> is 0.</param>
    public sealed record Result(ClassifierNetwork Network, ITokenizer Tokenizer, string[] Labels, int Epochs, int BestEpoch, double ValidAccuracy, bool Interrupted = false);

    /// <param name="stop">Checked between batches; distributed, the group's agreed token (<see cref="DistributedGroup.StopToken"/>), so every rank stops after the same step.</param>
    public Result Train(IReadOnlyList<LabeledText> train, IReadOnlyList<LabeledText> valid, string[] labels, Action<string>? log = null, CancellationToken stop = default)
    {
        options.Start();
        ITokenizer tokenizer = options.BuildTokenizer(train.Select(r => r.Text));
        if (options.VectorWords) tokenizer = EmbeddingInitialization.WithVectorWords((WordTokenizer)tokenizer, options.InitEmbedding!, options.MaxVocabulary);
        var (trainIds, trainLabels) = Encode(train, tokenizer, labels);
        var (validIds, validLabels) = Encode(valid, tokenizer, labels);
        var network = TaskNetworks.Create<ClassifierNetwork>(ClassifierNetwork.Describe(tokenizer, options.EmbeddingDim, options.HiddenSize, options.Layers,
            options.Bidirectional, options.Pooling, labels, options.MaxTokens), options.Dropout);
        if (options.PretrainText is not null)
        {
            var (pretrained, _) = WordLmPretrainer.Pretrain(tokenizer, options.PretrainText, network.Description, options.PretrainBatches, options.Seed, log);
            network.InitializeFrom(pretrained);
            foreach (Tensor t in pretrained.Values) t.Dispose();
            torch.manual_seed(options.Seed); // dropout and batches as without pretraining
        }
        if (options.InitEmbedding is not null)
        {
            int found = EmbeddingInitialization.Apply(network, (WordTokenizer)tokenizer, options.InitEmbedding, options.FreezeEmbedding);
            log?.Invoke($"embedding: {found:N0} of {tokenizer.VocabularySize - 2:N0} words from the vectors ({(options.FreezeEmbedding ? "frozen" : "fine-tuned")}), the rest random");
        }
        var optimizer = optim.Adam(network.parameters().Where(p => p.requires_grad), lr: options.LearningRate);
        var minibatches = new Minibatches(trainIds.Length, options.GlobalBatchSize, options.Seed, options.LengthBuckets ? Array.ConvertAll(trainIds, t => t.Length) : null);
        double trainLoss = 0, textsPerSecond = 0;
        var loop = new EpochLoop(network, optimizer, new EpochLoopOptions(options.Epochs, options.Patience, Quiet: log is null, Group: options.Group), log);
        var outcome = loop.Run((epoch, report, cancel) =>
        {
            trainLoss = 0;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            int done = 0;
            foreach (int[] batch in minibatches.NextEpoch())
            {
                if (cancel.IsCancellationRequested) return false;
                using var scope = NewDisposeScope();
                var step = optimizer.StepShard(network, options.Group, batch, mine =>
                {
                    var (tokens, lengths) = Batch(trainIds, mine);
                    var target = tensor(Array.ConvertAll(mine, i => (long)trainLabels[i]));
                    return (nn.functional.cross_entropy(network.Forward(tokens, lengths), target), mine.Length);
                });
                trainLoss += step.Mean * step.Weight; // the mean over the global batch, weighted by its rows
                done += batch.Length;
                report(done * 100.0 / minibatches.Rows, $"epoch {epoch}/{options.Epochs}  {done:N0}/{minibatches.Rows:N0} texts  loss {trainLoss / done:F4}");
            }
            trainLoss /= minibatches.Rows;
            textsPerSecond = minibatches.Rows / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            return true;
        },
        _ =>
        {
            var (accuracy, loss) = Evaluate(network, validIds, validLabels);
            return (new ValidationScore(-accuracy, TieBreak: loss), accuracy); // the higher accuracy, ties to the lower loss
        },
        (epoch, score, accuracy, best) => log?.Invoke($"epoch {epoch}: train loss {trainLoss:F4}, valid loss {score.TieBreak:F4}, valid accuracy {accuracy:F4}{(best ? " *" : "")} ({textsPerSecond:F0} texts/s{options.Group.AllReduceTiming})"),
        stop);
        return new Result(network, tokenizer, labels, outcome.EpochsDone, outcome.BestEpoch, -outcome.Best.Value, outcome.Interrupted);
    }

    /// <summary>Token ids (cut to MaxTokens; an empty text is one &lt;unk&gt;) and label indices.</summary>
    public (int[][] Ids, int[] Labels) Encode(IReadOnlyList<LabeledText> rows, ITokenizer tokenizer, string[] labels)
    {
        var ids = new int[rows.Count][];
        var y = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            ids[i] = ClassifierEvaluator.Tokens(tokenizer, rows[i].Text, options.MaxTokens);
            y[i] = Array.IndexOf(labels, rows[i].Label);
            if (y[i] < 0) throw new ArgumentException($"label '{rows[i].Label}' is not one of {string.Join(", ", labels)}");
        }
        return (ids, y);
    }

    /// <summary>Padded token ids [B, Tmax] and lengths [B] for the given rows.</summary>
    public static (Tensor Tokens, Tensor Lengths) Batch(int[][] ids, IReadOnlyList<int> rows)
    {
        int longest = 0;
        foreach (int i in rows) longest = Math.Max(longest, ids[i].Length);
        var tokens = new long[rows.Count * longest];
        var lengths = new long[rows.Count];
        for (int b = 0; b < rows.Count; b++)
        {
            int[] t = ids[rows[b]];
            for (int j = 0; j < t.Length; j++) tokens[b * longest + j] = t[j];
            lengths[b] = t.Length;
        }
        return (tensor(tokens, [rows.Count, longest]), tensor(lengths));
    }

    /// <summary>Affix ids of the rows' words [B, Tmax, per word] (ids = words × per, word-major; 0 past a row's length), or null without.</summary>
    public static Tensor? AffixBatch(int[][]? affixes, IReadOnlyList<int> rows, int longest, AffixDescription? description)
    {
        if (affixes is null || description is null) return null;
        int per = description.PerWord;
        var ids = new long[rows.Count * longest * per];
        for (int b = 0; b < rows.Count; b++)
        {
            int[] a = affixes[rows[b]];
            for (int j = 0; j < a.Length; j++) ids[b * longest * per + j] = a[j];
        }
        return tensor(ids, [rows.Count, longest, per]);
    }

    /// <summary>
    /// Character ids of the rows' words [B, Tmax, Lmax] (0 past a word's length) and their counts [B, Tmax] (0 past a
    /// row's length), or null without input.characters. <paramref name="chars"/>: each row's words' ids (<see cref="CharacterWordEncoder.Ids"/>).
    /// </summary>
    public static (Tensor Ids, Tensor Lengths)? CharBatch(int[][][]? chars, IReadOnlyList<int> rows, int longest)
    {
        if (chars is null) return null;
        int longestWord = 1;
        foreach (int row in rows)
            foreach (int[] word in chars[row]) longestWord = Math.Max(longestWord, word.Length);
        var ids = new long[rows.Count * longest * longestWord];
        var lengths = new long[rows.Count * longest];
        for (int b = 0; b < rows.Count; b++)
        {
            int[][] words = chars[rows[b]];
            for (int j = 0; j < words.Length; j++)
            {
                lengths[b * longest + j] = words[j].Length;
                for (int k = 0; k < words[j].Length; k++) ids[(b * longest + j) * longestWord + k] = words[j][k];
            }
        }
        return (tensor(ids, [rows.Count, longest, longestWord]), tensor(lengths, [rows.Count, longest]));
    }

    /// <summary>Class probabilities of every text (eval mode, batches of 64).</summary>
    public static float[][] Probabilities(ClassifierNetwork network, int[][] ids)
    {
        network.eval();
        var result = new float[ids.Length][];
        using var noGrad = no_grad();
        for (int start = 0; start < ids.Length; start += 64)
        {
            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(start, Math.Min(64, ids.Length - start)).ToArray();
            var (tokens, lengths) = Batch(ids, rows);
            var p = network.Forward(tokens, lengths).softmax(1).contiguous().data<float>().ToArray();
            int classes = p.Length / rows.Length;
            for (int b = 0; b < rows.Length; b++) result[start + b] = p.AsSpan(b * classes, classes).ToArray();
        }
        return result;
    }

    private static (double Accuracy, double Loss) Evaluate(ClassifierNetwork network, int[][] ids, int[] labels)
    {
        float[][] p = Probabilities(network, ids);
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (ClassificationMetrics.ArgMax(p[i]) == labels[i]) correct++;
            loss -= Math.Log(Math.Max(p[i][labels[i]], 1e-12));
        }
        network.train();
        return ((double)correct / ids.Length, loss / ids.Length);
    }
}
