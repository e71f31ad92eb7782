using System.Diagnostics;
using EdgeLstm.Runtime;
using EdgeLstm.Runtime.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// Trains a <see cref="Seq2SeqNetwork"/> on a pronouncing lexicon's "train" words (every pronunciation of a word is
/// an example), with teacher forcing, cross-entropy, Adam and gradient clipping. After each epoch the greedy word
/// error rate on the "valid" words picks the model kept (best.safetensors), and training stops after Patience
/// epochs without a better one. With a checkpoint directory every epoch leaves a resumable checkpoint (weights,
/// Adam's moments, the random state, progress). The test words are never read here.
/// </summary>
public sealed class Seq2SeqTrainer(Seq2SeqOptions options)
{
    public sealed record Result(Seq2SeqNetwork Network, ModelDescription Description, int Epochs, int BestEpoch, double ValidWer, double ValidPer, bool Interrupted);

    public const string BestFile = "best.safetensors";

    public Result Train(IReadOnlyList<LexiconWord> train, IReadOnlyList<LexiconWord> valid, CancellationToken cancel, Action<string>? log = null)
    {
        options.Validate();
        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);
        string? dir = options.CheckpointDir;
        if (dir is not null) Directory.CreateDirectory(dir);
        Seq2SeqNetwork network;
        ModelDescription description;
        TrainingCheckpoint progress = new(0, double.PositiveInfinity, 0, 0);
        if (options.Resume)
        {
            progress = TrainingCheckpoint.Load(dir!);
            (network, description) = Seq2SeqExport.Load(Path.Combine(dir!, TrainingCheckpoint.WeightsFile));
            log?.Invoke($"resuming after epoch {progress.EpochsDone} (best validation WER {progress.BestValidScore:F2}%)");
        }
        else
        {
            description = Describe(train);
            network = new Seq2SeqNetwork(Seq2SeqExport.ShapeOf(description, options.Dropout));
        }
        var graphemes = description.Input.Tokenizer!.Create("model");
        var phonemes = description.Head.Labels;
        var examples = Examples(train, graphemes, phonemes);
        var optimizer = optim.Adam(network.parameters(), lr: options.LearningRate);
        if (options.Resume)
        {
            optimizer.load_state_dict(Path.Combine(dir!, TrainingCheckpoint.OptimizerFile));
            // --lr given on resume sets the rate from here on (Adam's moments are kept).
            foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRate;
            string rng = Path.Combine(dir!, TrainingCheckpoint.RandomStateFile);
            if (File.Exists(rng)) using (var state = tensor(File.ReadAllBytes(rng))) torch.set_rng_state(state);
        }
        var random = new Random(options.Seed + progress.EpochsDone);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        int epoch = progress.EpochsDone;
        bool interrupted = false;
        double bestPer = double.NaN;
        while (epoch < options.Epochs && progress.EpochsWithoutImprovement < options.Patience)
        {
            epoch++;
            network.train();
            random.Shuffle(order);
            double loss = 0;
            int batches = 0;
            var clock = Stopwatch.StartNew();
            // In a terminal a bar; in a log, a line every 200 batches.
            EpochProgress.Run($"epoch {epoch}/{options.Epochs}", quiet: log is null, report =>
            {
                for (int start = 0; start < order.Length; start += options.BatchSize)
                {
                    if (cancel.IsCancellationRequested) { interrupted = true; break; }
                    using var scope = NewDisposeScope();
                    var batch = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
                    var (tokens, lengths, previous, target) = Batch(examples, batch);
                    var logits = network.Forward(tokens, lengths, previous);
                    var l = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1), ignore_index: DecoderDescription.PadId);
                    optimizer.zero_grad();
                    l.backward();
                    nn.utils.clip_grad_norm_(network.parameters(), 5.0);
                    optimizer.step();
                    loss += l.item<float>();
                    batches++;
                    report((start + batch.Length) * 100.0 / order.Length,
                        $"epoch {epoch}: {start + batch.Length:N0}/{order.Length:N0} examples, loss {loss / batches:F4}, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }, (_, text) =>
            {
                if (batches % 200 == 0) log?.Invoke("  " + text);
            });
            if (interrupted) { epoch--; break; }
            var (wer, per) = Score(network, valid, graphemes, phonemes);
            bool better = wer < progress.BestValidScore;
            progress = new TrainingCheckpoint(epoch, better ? wer : progress.BestValidScore, better ? 0 : progress.EpochsWithoutImprovement + 1, progress.StepsDone + batches);
            log?.Invoke($"epoch {epoch}: train loss {loss / Math.Max(1, batches):F4}, valid WER {wer:F2}%, PER {per:F2}%{(better ? " *" : "")}, {clock.Elapsed.TotalSeconds:F0} s");
            if (better) bestPer = per;
            else if (options.HalveLearningRate)
            {
                // An epoch that did not improve: halve the rate (as ReduceLROnPlateau with factor 0.5, patience 0).
                foreach (var group in optimizer.ParamGroups) group.LearningRate *= 0.5;
                log?.Invoke($"  learning rate now {optimizer.ParamGroups.First().LearningRate:G3}");
            }
            if (dir is not null)
            {
                if (better) Seq2SeqExport.Save(Path.Combine(dir, BestFile), network, description, Metadata(epoch, wer, per));
                Seq2SeqExport.Save(Path.Combine(dir, TrainingCheckpoint.WeightsFile), network, description, Metadata(epoch, wer, per));
                string optimizerPath = Path.Combine(dir, TrainingCheckpoint.OptimizerFile);
                optimizer.save_state_dict(optimizerPath + ".tmp");
                File.Move(optimizerPath + ".tmp", optimizerPath, overwrite: true);
                using (var state = torch.get_rng_state())
                    AtomicFile.WriteAllBytes(Path.Combine(dir, TrainingCheckpoint.RandomStateFile), state.data<byte>().ToArray());
                progress.Save(dir);
            }
            if (options.StopAfterEpoch > 0 && epoch >= options.StopAfterEpoch) { interrupted = true; break; }
        }
        // The network returned is the best one when a checkpoint directory kept it, else the last.
        if (dir is not null && File.Exists(Path.Combine(dir, BestFile)))
        {
            network.Dispose();
            (network, description) = Seq2SeqExport.Load(Path.Combine(dir, BestFile));
        }
        network.eval();
        return new Result(network, description, epoch, epoch - progress.EpochsWithoutImprovement, progress.BestValidScore, bestPer, interrupted);
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

/// <summary>Moves a <see cref="Seq2SeqNetwork"/> to and from float safetensors with its model description.</summary>
public static class Seq2SeqExport
{
    public static Seq2SeqShape ShapeOf(ModelDescription d, double dropout) => new(d.Input.Tokenizer!.Vocabulary.Length, d.Head.Size, d.Input.Size,
        d.Encoder[0].Hidden, d.Encoder.Length, d.Head.Decoder!.Embedding, d.Head.Decoder.Hidden, dropout, d.Head.Decoder.MaxSteps);

    public static void Save(string path, Seq2SeqNetwork network, ModelDescription description, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadataKeys.FormatVersion] = ModelMetadataKeys.CurrentFormatVersion,
            [ModelMetadataKeys.Model] = description.ToJson(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) metadata[key] = value;
        AtomicFile.WriteAllBytes(path, SafeTensorsWriter.Serialize(SafeTensorsExport.Tensors(network), metadata));
    }

    /// <summary>A seq2seq file as a network (its description validated; every tensor of the description read).</summary>
    public static (Seq2SeqNetwork Network, ModelDescription Description) Load(string path, double dropout = 0.2)
    {
        var file = SafeTensorsReader.Read(path);
        var description = DescriptionReader.Read(file);
        if (description.Head.Kind != HeadKinds.AttentionDecoder) throw new ModelFormatException($"{file.Source}: a '{description.Task}' model, not a sequence-to-sequence one");
        var network = new Seq2SeqNetwork(ShapeOf(description, dropout));
        using (no_grad())
            foreach (var (name, parameter) in network.named_parameters())
            {
                if (!file.Tensors.TryGetValue(name, out var info)) throw new ModelFormatException($"{file.Source}: tensor '{name}' is missing");
                using var source = tensor(file.ReadFloats(info), info.Shape);
                parameter.copy_(source);
            }
        return (network, description);
    }
}
