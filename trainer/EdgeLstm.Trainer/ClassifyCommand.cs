using System.CommandLine;
using EdgeLstm.Cli;
using EdgeLstm.Runtime.Format;
using Spectre.Console;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train classify`: trains a text classifier (embedding → LSTM or BiLSTM → pooling → linear) on a
/// labelled-text file. With --cv it runs cross-validation over the file's folds (each fold the test set once, the
/// next fold validation, the rest training) and reports accuracy per source beside the bag-of-words baseline on
/// the same folds; otherwise it trains one model on all but --test-fold and --valid-fold, keeps the epoch best on
/// validation, and scores the test fold once.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data")
        {
            Description = "Labelled texts: tab-separated with a header; columns label and text, optionally fold and source (see `edgelstm-data`). " +
                "Without a fold column the texts are split by --seed: --valid-fraction and --test-fraction of each label (--cv: 10 folds)",
            Required = true,
        };
        var validFraction = new Option<double>("--valid-fraction") { Description = "Files without a fold column: the share of each label's texts that picks the epoch", DefaultValueFactory = _ => SeededSplit.DefaultValidFraction };
        var testFraction = new Option<double>("--test-fraction") { Description = "Files without a fold column: the share of each label's texts scored once as the test set", DefaultValueFactory = _ => SeededSplit.DefaultTestFraction };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (safetensors); not with --cv" };
        var cv = new Option<bool>("--cv") { Description = "Cross-validate over the folds in the file instead of training one model" };
        var testFold = new Option<string>("--test-fold") { Description = "The fold held out as the test set", DefaultValueFactory = _ => "0" };
        var validFold = new Option<string>("--valid-fold") { Description = "The fold that picks the epoch (early stopping)", DefaultValueFactory = _ => "1" };
        var embeddingDim = new Option<int>("--embedding-dim") { Description = "Word embedding size", DefaultValueFactory = _ => 64 };
        var hiddenSize = new Option<int>("--hidden-size") { Description = "LSTM hidden size (per direction)", DefaultValueFactory = _ => 64 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers", DefaultValueFactory = _ => 1 };
        var unidirectional = new Option<bool>("--unidirectional") { Description = "Forward LSTM layers only (default: bidirectional)" };
        var pooling = new Option<string>("--pooling") { Description = "How the steps become one vector: last, mean, max or attention", DefaultValueFactory = _ => Poolings.Max };
        var dropout = new Option<double>("--dropout") { Description = "Dropout on the embeddings and before the output layer", DefaultValueFactory = _ => 0.5 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 2e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per batch", DefaultValueFactory = _ => 32 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs", DefaultValueFactory = _ => 30 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation accuracy", DefaultValueFactory = _ => 5 };
        var maxVocabulary = new Option<int>("--max-vocabulary") { Description = "Most frequent training words kept (with <pad> and <unk>)", DefaultValueFactory = _ => 20000 };
        var minCount = new Option<int>("--min-count") { Description = "Words seen fewer times in training become <unk>", DefaultValueFactory = _ => 2 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Texts are cut to their first this many tokens", DefaultValueFactory = _ => 400 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Random seed (initial weights, dropout, batch order)", DefaultValueFactory = _ => 42 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the results" };
        var pretrain = new Option<FileInfo>("--pretrain") { Description = "Unlabelled UTF-8 text: pretrain the embedding and LSTM on it as word language models first (e.g. `edgelstm-data sotu`)" };
        var validationOnly = new Option<bool>("--validation-only") { Description = "For choosing a configuration: score the LSTM, its int8 form and the bag of words on the validation fold and leave the test fold unscored" };
        var baselineOnly = new Option<bool>("--baseline-only") { Description = "Train only the bag-of-words baseline (same vocabulary and token cut) and report its validation and test accuracy" };
        var pretrainBatches = new Option<int>("--pretrain-batches") { Description = "Batches of 32 × 64 words per pretraining direction", DefaultValueFactory = _ => 400 };
        var initEmbedding = new Option<FileInfo>("--init-embedding") { Description = "Start the embedding from these word vectors (word2vec or GloVe text, e.g. from `edgelstm-train vectors`); words without one start random" };
        var freezeEmbedding = new Option<bool>("--freeze-embedding") { Description = "With --init-embedding: keep the embedding as loaded (default: fine-tune it)" };
        var vectorWords = new Option<bool>("--vector-words") { Description = "With --init-embedding: the vocabulary also takes the vectors' words (up to --max-vocabulary), so words the training texts lack keep a meaning" };
        var foldVectors = new Option<FileInfo[]>("--fold-vectors")
        {
            Description = "Train word vectors for each split (skip-gram on this unlabelled UTF-8 text, one text a line, plus the split's training texts; " +
                "never its validation or test texts) and start the embedding from them; repeat for several files",
            AllowMultipleArgumentsPerToken = true,
        };
        var foldVectorsEpochs = new Option<int>("--fold-vectors-epochs") { Description = "Skip-gram epochs of --fold-vectors", DefaultValueFactory = _ => 5 };
        var lengthBuckets = new Option<bool>("--length-buckets") { Description = "Batch examples of similar length together (less padding, faster epochs; the batches differ, so results differ from a run without)" };
        var distributed = new Option<bool>("--distributed") { Description = DistributedGroup.OptionDescription };
        var tokenizerKind = new Option<string>("--tokenizer") { Description = "word (lower-cased words and punctuation) or char (one token per character: Chinese text, poems)", DefaultValueFactory = _ => "word" };
        var command = new Command("classify", "Train a text classifier (embedding → BiLSTM → pooling → linear), or cross-validate one with --cv")
        {
            data, output, cv, testFold, validFold, embeddingDim, hiddenSize, layers, unidirectional, pooling, dropout, lr, batchSize, epochs, patience,
            maxVocabulary, minCount, maxTokens, threads, seed, quiet, pretrain, pretrainBatches, baselineOnly, validationOnly, validFraction, testFraction,
            initEmbedding, freezeEmbedding, vectorWords, foldVectors, foldVectorsEpochs, lengthBuckets, distributed, tokenizerKind,
        };
        command.SetAction(result => UserErrors.Run(() => DistributedGroup.Run(result.GetValue(distributed), group =>
        {
            var options = new ClassifierOptions
            {
                Group = group,
                EmbeddingDim = result.GetValue(embeddingDim), HiddenSize = result.GetValue(hiddenSize), Layers = result.GetValue(layers),
                Bidirectional = !result.GetValue(unidirectional), Pooling = result.GetValue(pooling)!, Dropout = result.GetValue(dropout),
                LearningRate = result.GetValue(lr), BatchSize = result.GetValue(batchSize), Epochs = result.GetValue(epochs), Patience = result.GetValue(patience),
                MaxVocabulary = result.GetValue(maxVocabulary), MinCount = result.GetValue(minCount), MaxTokens = result.GetValue(maxTokens),
                Tokenizer = result.GetValue(tokenizerKind)!,
                Threads = result.GetValue(threads), Seed = result.GetValue(seed), Quiet = result.GetValue(quiet), LengthBuckets = result.GetValue(lengthBuckets),
                PretrainText = result.GetValue(pretrain) is { } text ? StrictUtf8.ReadFile(text.FullName) : null,
                PretrainBatches = result.GetValue(pretrainBatches),
                InitEmbedding = result.GetValue(initEmbedding) is { } vectors ? WordVectors.Read(vectors.FullName) : null,
                FreezeEmbedding = result.GetValue(freezeEmbedding), VectorWords = result.GetValue(vectorWords),
                FoldVectorsText = result.GetValue(foldVectors) is { Length: > 0 } files ? SkipGramTrainer.ReadTexts(files) : null,
                FoldVectorsEpochs = result.GetValue(foldVectorsEpochs),
            };
            options.Validate();
            var rows = LabeledTextFile.Read(result.GetValue(data)!.FullName);
            string test = result.GetValue(testFold)!, valid = result.GetValue(validFold)!;
            if (SeededSplit.Needed(rows))
            {
                string file = result.GetValue(data)!.Name;
                if (result.GetResult(testFold) is { Implicit: false } || result.GetResult(validFold) is { Implicit: false })
                    throw new ArgumentException($"{file} has no fold column, so --test-fold and --valid-fold name nothing; drop them (the texts are split by --seed) or add a fold column");
                if (result.GetValue(cv))
                {
                    rows = SeededSplit.Folds(rows, SeededSplit.DefaultFolds, options.Seed);
                    Console.Error.WriteLine($"{file} has no fold column: its {rows.Count} texts dealt into {SeededSplit.DefaultFolds} folds by label (seed {options.Seed})");
                }
                else
                {
                    double validShare = result.GetValue(validFraction), testShare = result.GetValue(testFraction);
                    rows = SeededSplit.TrainValidTest(rows, validShare, testShare, options.Seed);
                    (test, valid) = ("test", "valid");
                    Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{file} has no fold column: split by label with seed {options.Seed}: {rows.Count(r => r.Fold == "train")} train, " +
                        $"{rows.Count(r => r.Fold == "valid")} valid ({validShare * 100:0.#}%), {rows.Count(r => r.Fold == "test")} test ({testShare * 100:0.#}%) texts"));
                }
            }
            string[] labels = rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
            if (labels.Length < 2) throw new ArgumentException($"{result.GetValue(data)!.Name}: a classifier needs at least 2 labels, found {labels.Length}");
            if (group.IsDistributed && (result.GetValue(baselineOnly) || result.GetValue(cv)))
                throw new ArgumentException("--distributed trains one model; drop --cv and --baseline-only");
            if (!group.IsRoot)
            {
                // The other ranks train beside rank 0 (same split, same batches) and leave scoring and writing to it.
                var (trainRows, validRows, _) = Split(rows, test, valid);
                options = FoldVectors.Apply(options, trainRows, null); // the same vectors as rank 0's: same texts, seed and threads
                using var stop = new TrainingInterrupt(group);
                var trained = new ClassifierTrainer(options).Train(trainRows, validRows, labels, stop: group.StopToken(stop.Token));
                trained.Network.Dispose();
                return trained.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success; // an agreed stop: 130 on every rank
            }
            if (result.GetValue(baselineOnly))
            {
                Baseline(options, rows, labels, test, valid);
                return ExitCodes.Success;
            }
            if (result.GetValue(cv))
            {
                if (result.GetValue(output) is not null) throw new ArgumentException("--cv reports cross-validated accuracy and writes no model; drop --output");
                if (result.GetValue(validationOnly)) throw new ArgumentException("--cv scores every fold as a test fold once; drop --validation-only");
                CrossValidate(options, rows, labels);
            }
            else
            {
                string path = result.GetValue(output)?.FullName ?? throw new ArgumentException("--output is required (or pass --cv)");
                // Ctrl-C or SIGTERM (to any rank) stops after the current step and keeps the best epoch so far.
                using var stop = new TrainingInterrupt(group);
                return TrainOne(options, rows, labels, test, valid, result.GetValue(validationOnly), path,
                    string.Join(" ", result.Tokens.Select(t => t.Value)), group.StopToken(stop.Token));
            }
            return ExitCodes.Success;
        })));
        return command;
    }

    private static (List<LabeledText> Train, List<LabeledText> Valid, List<LabeledText> Test) Split(IReadOnlyList<LabeledText> rows, string test, string valid)
    {
        if (test == valid) throw new ArgumentException("--test-fold and --valid-fold must differ");
        List<LabeledText> train = rows.Where(r => r.Fold != test && r.Fold != valid).ToList(),
            validRows = rows.Where(r => r.Fold == valid).ToList(), testRows = rows.Where(r => r.Fold == test).ToList();
        if (train.Count == 0 || validRows.Count == 0 || testRows.Count == 0)
            throw new ArgumentException($"the data's fold column has no texts in fold '{(testRows.Count == 0 ? test : validRows.Count == 0 ? valid : "(training)")}'; folds present: {string.Join(", ", rows.Select(r => r.Fold).Distinct())}");
        return (train, validRows, testRows);
    }

    /// <summary>Accuracy of the LSTM and of the bag-of-words baseline on one split's scored texts, per source ("" = all).</summary>
    private sealed record FoldScore(string Fold, Dictionary<string, double> Lstm, Dictionary<string, double> Int8, Dictionary<string, double> BagOfWords, int BestEpoch);

    /// <summary>
    /// Trains on one split and scores its test texts, or with <paramref name="validationOnly"/> its validation texts again (the test texts untouched);
    /// null when <paramref name="stop"/> came before the first epoch ended (nothing worth scoring, and a stop should be prompt).
    /// </summary>
    private static FoldScore? Score(ClassifierOptions options, IReadOnlyList<LabeledText> rows, string[] labels, string test, string valid, bool validationOnly,
        Action<string>? log, out ClassifierTrainer.Result model, CancellationToken stop = default)
    {
        var (train, validRows, testRows) = Split(rows, test, valid);
        if (validationOnly) testRows = validRows;
        options = FoldVectors.Apply(options, train, log);
        var trainer = new ClassifierTrainer(options);
        model = trainer.Train(train, validRows, labels, log, stop);
        if (model.Epochs == 0) return null;
        var (testIds, testLabels) = trainer.Encode(testRows, model.Tokenizer, labels);
        float[][] p = ClassifierTrainer.Probabilities(model.Network, testIds);
        var (trainIds, trainLabels) = trainer.Encode(train, model.Tokenizer, labels);
        var (validIds, validLabels) = trainer.Encode(validRows, model.Tokenizer, labels);
        var bow = BagOfWordsBaseline.Train(trainIds, trainLabels, validIds, validLabels, model.Tokenizer.VocabularySize, labels.Length);
        // The same network converted to int8 and run by the runtime, as a device would run it.
        var floatModel = TaskNetworks.ToFloatModel(model.Network);
        using var int8 = CompactModelLoader.Load(ModelFileReader.Parse(
            EdgeLstm.Converter.CompactModelBuilder.Build(floatModel, EdgeLstm.Converter.WeightType.Int8, blockSparse: false, "none", "trainer"), "int8"));
        using var int8Runner = int8.CreateRunner();
        bool[] int8Correct = Enumerable.Range(0, testRows.Count).Select(i => ClassificationMetrics.ArgMax(int8Runner.Run(testIds[i])) == testLabels[i]).ToArray();
        var lstm = new Dictionary<string, double>();
        var quantized = new Dictionary<string, double>();
        var baseline = new Dictionary<string, double>();
        foreach (string source in testRows.Select(r => r.Source).Distinct().Prepend("").Distinct())
        {
            var index = Enumerable.Range(0, testRows.Count).Where(i => source == "" || testRows[i].Source == source).ToArray();
            lstm[source] = index.Count(i => ClassificationMetrics.ArgMax(p[i]) == testLabels[i]) / (double)index.Length;
            baseline[source] = index.Count(i => bow.Predict(testIds[i]) == testLabels[i]) / (double)index.Length;
            quantized[source] = index.Count(i => int8Correct[i]) / (double)index.Length;
        }
        return new FoldScore(validationOnly ? valid : test, lstm, quantized, baseline, model.BestEpoch);
    }

    private static void CrossValidate(ClassifierOptions options, IReadOnlyList<LabeledText> rows, string[] labels)
    {
        string[] folds = rows.Select(r => r.Fold).Distinct().OrderBy(f => int.TryParse(f, out int n) ? n : int.MaxValue).ThenBy(f => f, StringComparer.Ordinal).ToArray();
        if (folds.Length < 3) throw new ArgumentException($"--cv needs at least 3 folds in the fold column, found {folds.Length}");
        var scores = new List<FoldScore>();
        for (int f = 0; f < folds.Length; f++)
        {
            string test = folds[f], valid = folds[(f + 1) % folds.Length];
            var score = Score(options, rows, labels, test, valid, validationOnly: false, options.Quiet ? null : line => Console.Error.WriteLine($"fold {test}: {line}"), out var model)!; // no stop token: every epoch runs
            model.Network.Dispose();
            scores.Add(score);
            Console.WriteLine($"fold {test} (valid {valid}, best epoch {score.BestEpoch}): LSTM {Format(score.Lstm)}; int8 {Format(score.Int8)}; bag of words {Format(score.BagOfWords)}");
        }
        var table = new Table().AddColumn("source").AddColumn("LSTM float (mean ± sd over folds)").AddColumn("LSTM int8").AddColumn("bag-of-words LR");
        string Cell(Func<FoldScore, Dictionary<string, double>> of, string source)
        {
            double[] x = scores.Select(s => of(s)[source]).ToArray();
            return $"{x.Average():F3} ± {StdDev(x):F3}";
        }
        foreach (string source in scores[0].Lstm.Keys.Where(s => s != "").Append(""))
            table.AddRow(source == "" ? "all" : source, Cell(s => s.Lstm, source), Cell(s => s.Int8, source), Cell(s => s.BagOfWords, source));
        var sources = scores[0].Lstm.Keys.Where(s => s != "").ToArray();
        if (sources.Length > 1)
            table.AddRow("mean of sources", $"{sources.Average(s => scores.Average(x => x.Lstm[s])):F3}", $"{sources.Average(s => scores.Average(x => x.Int8[s])):F3}",
                $"{sources.Average(s => scores.Average(x => x.BagOfWords[s])):F3}");
        AnsiConsole.Write(table);
    }

    /// <summary>The bag-of-words baseline alone, in the vocabulary and token cut the classifier would use.</summary>
    private static void Baseline(ClassifierOptions options, IReadOnlyList<LabeledText> rows, string[] labels, string test, string valid)
    {
        var (train, validRows, testRows) = Split(rows, test, valid);
        var tokenizer = options.BuildTokenizer(train.Select(r => r.Text));
        var trainer = new ClassifierTrainer(options);
        var (trainIds, trainLabels) = trainer.Encode(train, tokenizer, labels);
        var (validIds, validLabels) = trainer.Encode(validRows, tokenizer, labels);
        var (testIds, testLabels) = trainer.Encode(testRows, tokenizer, labels);
        var bow = BagOfWordsBaseline.Train(trainIds, trainLabels, validIds, validLabels, tokenizer.VocabularySize, labels.Length);
        Console.WriteLine($"bag of words, texts cut to {options.MaxTokens} tokens, vocabulary {tokenizer.VocabularySize:N0}: " +
            $"validation {bow.Score(validIds, validLabels):F4}, test {bow.Score(testIds, testLabels):F4}");
    }

    /// <summary>Trains, scores and writes one model; 130 when <paramref name="stop"/> cut training short (the best finished epoch kept, none written without one).</summary>
    private static int TrainOne(ClassifierOptions options, IReadOnlyList<LabeledText> rows, string[] labels, string test, string valid, bool validationOnly,
        string output, string commandLine, CancellationToken stop)
    {
        var score = Score(options, rows, labels, test, valid, validationOnly, options.Quiet ? null : Console.Error.WriteLine, out var model, stop);
        if (score is null)
        {
            Console.WriteLine("stopped before the first epoch ended; no model written");
            model.Network.Dispose();
            return ExitCodes.Interrupted;
        }
        var metadata = new Dictionary<string, string>
        {
            ["edgelstm.trainer.command"] = "edgelstm-train " + commandLine,
            ["edgelstm.trainer.best_epoch"] = score.BestEpoch.ToString(CultureInfo.InvariantCulture),
            ["edgelstm.trainer.valid_accuracy"] = model.ValidAccuracy.ToString("F4", CultureInfo.InvariantCulture),
        };
        if (!validationOnly)
        {
            metadata["edgelstm.trainer.test_accuracy"] = score.Lstm[""].ToString("F4", CultureInfo.InvariantCulture);
            metadata["edgelstm.trainer.test_fold"] = test;
        }
        TaskNetworks.Save(output, model.Network, metadata);
        Console.WriteLine($"{(model.Interrupted ? $"stopped: kept best epoch {score.BestEpoch} of {model.Epochs}; " : "")}{(validationOnly ? "validation" : "test")} fold {score.Fold}: " +
            $"LSTM {Format(score.Lstm)}; int8 {Format(score.Int8)}; bag of words {Format(score.BagOfWords)}; model: {output}");
        model.Network.Dispose();
        return model.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
    }

    private static string Format(Dictionary<string, double> accuracy) =>
        string.Join(", ", accuracy.Select(p => $"{(p.Key == "" ? "all" : p.Key)} {p.Value:F3}"));

    private static double StdDev(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, x.Length - 1));
    }
}
