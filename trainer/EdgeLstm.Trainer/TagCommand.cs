using System.CommandLine;
using EdgeLstm.Cli;
using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train tag`: trains a punctuation restorer (characters → LSTM or BiLSTM → a tag per character: the mark
/// that follows it) on punctuated text, one text per line (`edgelstm-data songci`). The epoch is picked on
/// --valid; test text is scored afterwards by `edgelstm eval`, once, on the committed model. With --format conll it
/// trains a word tagger on CoNLL files instead (or, with --baseline-only, scores the most-frequent-tag and HMM baselines).
/// </summary>
internal static class TagCommand
{
    public static Command Create()
    {
        var train = new Option<FileInfo>("--train") { Description = "Punctuated training text (UTF-8), one text per line", Required = true };
        var valid = new Option<FileInfo>("--valid") { Description = "Punctuated validation text that picks the epoch", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (safetensors)" };
        var marks = new Option<string>("--marks") { Description = "The marks to restore, one character each; other characters are text", DefaultValueFactory = _ => "，。、" };
        var embeddingDim = new Option<int>("--embedding-dim") { Description = "Character embedding size", DefaultValueFactory = _ => 64 };
        var hiddenSize = new Option<int>("--hidden-size") { Description = "LSTM hidden size (per direction)", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers", DefaultValueFactory = _ => 2 };
        var unidirectional = new Option<bool>("--unidirectional") { Description = "Forward LSTM layers only (the ablation; default: bidirectional)" };
        var dropout = new Option<double>("--dropout") { Description = "Dropout on the embeddings and before the output layer", DefaultValueFactory = _ => 0.2 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 2e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Windows per batch", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs", DefaultValueFactory = _ => 10 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation mark F1", DefaultValueFactory = _ => 2 };
        var minCount = new Option<int>("--min-count") { Description = "Characters seen fewer times in training become the unknown token", DefaultValueFactory = _ => 2 };
        var window = new Option<int>("--window") { Description = "Training lines are cut into windows of at most this many characters", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Random seed (initial weights, dropout, batch order)", DefaultValueFactory = _ => 42 };
        var baseline = new Option<FileInfo[]>("--baseline-only") { Description = "Train nothing: score the per-character baseline (each character's most frequent next mark in --train) on --valid and these files", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = true };
        var format = new Option<string>("--format") { Description = "punctuated (text lines; a tag per character: the mark after it) or conll (one 'token label' line per token, a blank line between sentences)", DefaultValueFactory = _ => "punctuated" };
        var test = new Option<FileInfo>("--test") { Description = "CoNLL format: a test file, scored after training (once, for the model you keep) or by --baseline-only" };
        var crf = new Option<bool>("--crf") { Description = "A CRF output layer: tag-to-tag transition scores learned with the encoder, the best path decoded by Viterbi (default: a softmax per step)" };
        var lowercase = new Option<bool>("--lowercase") { Description = "CoNLL format: lower-case the words (recorded in the model)" };
        var zeroDigits = new Option<bool>("--zero-digits") { Description = "CoNLL format: read every digit as 0, so numbers share vectors (recorded in the model)" };
        var maxVocabulary = new Option<int>("--max-vocabulary") { Description = "CoNLL format: most frequent training words kept (with <pad> and <unk>)", DefaultValueFactory = _ => 50000 };
        var unknownShapes = new Option<bool>("--unknown-shapes") { Description = "CoNLL format: a word outside the vocabulary reads as its spelling class (<unk:cap-ing>, <unk:number>…) instead of one <unk>; learned from the training words below --min-count" };
        var affixes = new Option<bool>("--affixes") { Description = "CoNLL format: each word's prefixes (1-3 characters), suffixes (1-4) and shape, hashed to learned vectors summed beside its embedding, so unknown words read by their spelling (recorded in the model)" };
        var affixSize = new Option<int>("--affix-size") { Description = "CoNLL format, --affixes: width of the affix vectors", DefaultValueFactory = _ => 32 };
        var affixBuckets = new Option<int>("--affix-buckets") { Description = "CoNLL format, --affixes: rows of the hashed affix table", DefaultValueFactory = _ => 1 << 15 };
        var charEncoder = new Option<bool>("--char-encoder") { Description = "CoNLL format: a character BiLSTM over each word beside its embedding (Lample et al. 2016), to compare with --affixes; the runtime does not run such models" };
        var charSize = new Option<int>("--char-size") { Description = "CoNLL format, --char-encoder: character embedding size", DefaultValueFactory = _ => 32 };
        var charHidden = new Option<int>("--char-hidden") { Description = "CoNLL format, --char-encoder: the character LSTM's hidden size per direction", DefaultValueFactory = _ => 32 };
        var lengthBuckets = new Option<bool>("--length-buckets") { Description = "Batch windows of similar length together (less padding, faster epochs; the batches differ, so results differ from a run without)" };
        var distributed = new Option<bool>("--distributed") { Description = DistributedGroup.OptionDescription };
        var checkpointDir = new Option<DirectoryInfo>("--checkpoint-dir") { Description = "Keep a resumable checkpoint (and the best model so far) here after every epoch" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir (same data and options)" };
        var stopAfter = new Option<int>("--stop-after-epoch") { Description = "Stop cleanly after this epoch (0 = never); continue later with --resume", DefaultValueFactory = _ => 0 };
        var command = new Command("tag", "Train a tagger: a punctuation restorer over characters (a tag per character, the mark that follows it), or with --format conll a word tagger from CoNLL files (BiLSTM by default; --crf)")
        {
            baseline, train, valid, output, marks, embeddingDim, hiddenSize, layers, unidirectional, dropout, lr, batchSize, epochs, patience, minCount, window, threads, seed, lengthBuckets, format, test, crf, lowercase, zeroDigits, maxVocabulary, unknownShapes, affixes, affixSize, affixBuckets, charEncoder, charSize, charHidden, distributed, checkpointDir, resume, stopAfter,
        };
        command.SetAction(result => UserErrors.Run(() => DistributedGroup.Run(result.GetValue(distributed), group =>
        {
            var options = new TaggerOptions
            {
                Group = group,
                EmbeddingDim = result.GetValue(embeddingDim), HiddenSize = result.GetValue(hiddenSize), Layers = result.GetValue(layers),
                Bidirectional = !result.GetValue(unidirectional), Dropout = result.GetValue(dropout), LearningRate = result.GetValue(lr),
                BatchSize = result.GetValue(batchSize), Epochs = result.GetValue(epochs), Patience = result.GetValue(patience),
                MinCount = result.GetValue(minCount), Window = result.GetValue(window), Threads = result.GetValue(threads), Seed = result.GetValue(seed),
                LengthBuckets = result.GetValue(lengthBuckets), Crf = result.GetValue(crf),
                Lowercase = result.GetValue(lowercase), ZeroDigits = result.GetValue(zeroDigits), MaxVocabulary = result.GetValue(maxVocabulary),
                UnknownShapes = result.GetValue(unknownShapes), Affixes = result.GetValue(affixes), AffixSize = result.GetValue(affixSize),
                AffixBuckets = result.GetValue(affixBuckets), CharEncoder = result.GetValue(charEncoder), CharSize = result.GetValue(charSize),
                CharHidden = result.GetValue(charHidden),
                CheckpointDir = result.GetValue(checkpointDir)?.FullName, Resume = result.GetValue(resume), StopAfterEpoch = result.GetValue(stopAfter),
            };
            options.Validate();
            if (group.IsDistributed && result.GetResult(baseline) is not null) throw new ArgumentException("--distributed trains one model; drop --baseline-only");
            Action<string>? log = group.IsRoot ? Console.Error.WriteLine : null;
            if (result.GetValue(format) == "conll")
            {
                var conllTrain = ConllFile.Read(result.GetValue(train)!.FullName);
                var scored = new List<(string, IReadOnlyList<TaggedSentence>)> { (result.GetValue(valid)!.Name, ConllFile.Read(result.GetValue(valid)!.FullName)) };
                if (result.GetValue(test) is { } testFile) scored.Add((testFile.Name, ConllFile.Read(testFile.FullName)));
                if (result.GetResult(baseline) is not null)
                {
                    foreach (string line in TaggingBaselineReport.Run(conllTrain, scored)) Console.WriteLine(line);
                    return ExitCodes.Success;
                }
                if (result.GetValue(output) is null) throw new ArgumentException("--output is required (or pass --baseline-only)");
                using var interrupt = new TrainingInterrupt(group);
                var words = new TaggerTrainer(options, group.StopToken(interrupt.Token)).TrainWords(conllTrain, scored[0].Item2, log);
                if (!group.IsRoot) return OtherRank(words); // scoring and writing are rank 0's
                if (words.Valid is null)
                {
                    Console.WriteLine("stopped before the first epoch ended; no model written");
                    words.Network.Dispose();
                    return ExitCodes.Interrupted;
                }
                var known = new HashSet<string>(conllTrain.SelectMany(s => s.Tokens), StringComparer.Ordinal);
                var wordMetadata = new Dictionary<string, string>
                {
                    ["edgelstm.train.command"] = "edgelstm-train " + string.Join(" ", result.Tokens.Select(t => t.Value)),
                    ["edgelstm.train.best_epoch"] = words.BestEpoch.ToString(CultureInfo.InvariantCulture),
                };
                foreach (var (name, sentences) in scored) // validation, then the test file if given (score it once, for the model you keep)
                {
                    string line = WordTaggerReport.Score(words.Network, words.Tokenizer, words.Labels, sentences, known, out double accuracy);
                    wordMetadata[$"edgelstm.train.{(ReferenceEquals(sentences, scored[0].Item2) ? "valid" : "test")}_accuracy"] = accuracy.ToString("F4", CultureInfo.InvariantCulture);
                    Console.WriteLine($"{name}: {line}");
                }
                TaskNetworks.Save(result.GetValue(output)!.FullName, words.Network, wordMetadata);
                Console.WriteLine($"{(words.Interrupted ? "stopped: kept " : "")}best epoch {words.BestEpoch} of {words.Epochs}; model: {result.GetValue(output)!.FullName}");
                words.Network.Dispose();
                return words.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
            }
            if (result.GetValue(format) != "punctuated") throw new ArgumentException($"--format must be punctuated or conll, got '{result.GetValue(format)}'");
            if (options.Affixes) throw new ArgumentException("--affixes is for --format conll (word taggers)");
            if (options.CharEncoder) throw new ArgumentException("--char-encoder is for --format conll (word taggers)");
            if (result.GetValue(test) is not null) throw new ArgumentException("--test is for --format conll; punctuated test text is scored by `edgelstm eval`");
            string markList = result.GetValue(marks)!;
            if (markList.Length == 0 || markList.Distinct().Count() != markList.Length || !markList.All(char.IsPunctuation))
                throw new ArgumentException($"--marks must list distinct punctuation characters, got '{markList}'");
            string[] labels = [PunctuationTags.None, .. markList.Select(c => c.ToString())];
            static List<string> Lines(FileInfo file) => StrictUtf8.ReadFile(file.FullName).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (result.GetResult(baseline) is not null)
            {
                var majority = new PunctuationBaseline(Lines(result.GetValue(train)!), labels);
                foreach (FileInfo file in (FileInfo[])[result.GetValue(valid)!, .. result.GetValue(baseline) ?? []])
                {
                    var m = majority.Evaluate(Lines(file), labels);
                    Console.WriteLine($"baseline on {file.Name}: mark F1 {TaggerTrainer.MarkF1(m):F4}; " +
                        string.Join(", ", Enumerable.Range(1, labels.Length - 1).Select(c => $"{labels[c]} P {m.Precision[c]:F3} R {m.Recall[c]:F3} F1 {m.F1[c]:F3}")));
                }
                return ExitCodes.Success;
            }
            if (result.GetValue(output) is null) throw new ArgumentException("--output is required (or pass --baseline-only)");
            using var stop = new TrainingInterrupt(group);
            var model = new TaggerTrainer(options, group.StopToken(stop.Token)).Train(Lines(result.GetValue(train)!), Lines(result.GetValue(valid)!), labels, log);
            if (!group.IsRoot) return OtherRank(model);
            if (model.Valid is null)
            {
                Console.WriteLine("stopped before the first epoch ended; no model written");
                model.Network.Dispose();
                return ExitCodes.Interrupted;
            }
            var extra = new Dictionary<string, string>
            {
                ["edgelstm.train.command"] = "edgelstm-train " + string.Join(" ", result.Tokens.Select(t => t.Value)),
                ["edgelstm.train.valid_mark_f1"] = TaggerTrainer.MarkF1(model.Valid).ToString("F4", CultureInfo.InvariantCulture),
                ["edgelstm.train.best_epoch"] = model.BestEpoch.ToString(CultureInfo.InvariantCulture),
            };
            TaskNetworks.Save(result.GetValue(output)!.FullName, model.Network, extra);
            Console.WriteLine($"{(model.Interrupted ? "stopped: kept " : "")}best epoch {model.BestEpoch} of {model.Epochs}: valid mark F1 {TaggerTrainer.MarkF1(model.Valid):F4}; " +
                $"{string.Join(", ", Enumerable.Range(1, labels.Length - 1).Select(c => $"{labels[c]} P {model.Valid.Precision[c]:F3} R {model.Valid.Recall[c]:F3} F1 {model.Valid.F1[c]:F3}"))}; " +
                $"model: {result.GetValue(output)!.FullName}");
            model.Network.Dispose();
            return model.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
        })));
        return command;
    }

    /// <summary>A rank other than 0 trained beside it and leaves the rest to it; its exit code is rank 0's (an agreed stop is 130 on every rank).</summary>
    private static int OtherRank(TaggerTrainer.Result trained)
    {
        trained.Network.Dispose();
        return trained.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
    }
}
