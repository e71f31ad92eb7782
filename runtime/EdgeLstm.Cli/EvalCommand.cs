using System.Diagnostics;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Cli;

/// <summary>
/// `edgelstm eval`: a language model's bits per character on a UTF-8 text file; a classifier's accuracy, F1 and
/// confusion matrix on a labelled-text file (tab-separated, header with label and text columns); a punctuation
/// restorer's per-mark precision, recall and F1 on punctuated lines; a forecaster's and a g2p model's errors.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var text = new Argument<FileInfo>("text") { Description = "UTF-8 text file to score; for a punctuation tagger, punctuated lines; for a classifier, labelled texts (tab-separated, columns label and text); for a forecaster, a daily series CSV" };
        var fold = new Option<string?>("--fold") { Description = "Classifiers: score only the texts of this fold (the file's fold column); forecasters: the split scored (default test)" };
        var maxChars = new Option<int>("--max-chars") { Description = "Score only the first N characters (0 = all)", DefaultValueFactory = _ => 0 };
        var threads = ModelSource.ThreadsOption("Cores for int8 models: 1, 2 (a language model or forecaster splits each layer's rows across them; a bidirectional model runs its two directions at once), or auto (the default): two where the model is large enough to gain");
        var beam = new Option<int>("--beam") { Description = "Sequence-to-sequence models: beam width (1 = greedy)", DefaultValueFactory = _ => 5 };
        var plot = new Option<FileInfo?>("--plot") { Description = "Forecasters: also draw the scored days and the forecasts made from every horizon-th day to this PNG" };
        var command = new Command("eval", "Measure a language model's bits per character, a classifier's accuracy, or a forecaster's MAE beside seasonal baselines")
        {
            model, text, maxChars, threads, fold, plot, beam,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            FileInfo file = result.GetValue(text)!;
            int limit = result.GetValue(maxChars);
            if (limit < 0) throw new ArgumentException($"--max-chars must be ≥ 0, got {limit}");
            if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
            using var source = ModelSource.Load(result.GetValue(model));
            ModelTask task = source.Model.Description.Kind;
            if (task != ModelTask.Forecaster && result.GetValue(plot) is not null) throw new ArgumentException("--plot is for forecasters");
            switch (task)
            {
                case ModelTask.Forecaster:
                    return EvaluateForecaster(source.Model, file, result.GetValue(fold), source.Name, result.GetValue(threads), result.GetValue(plot));
                case ModelTask.Transducer:
                    return EvaluateTransducer(source.Model, file, result.GetValue(fold), source.Name, result.GetValue(beam), result.GetValue(threads));
                case ModelTask.Tagger:
                    return EvaluateTagger(source.Model, file, source.Name, result.GetValue(threads));
                case ModelTask.Classifier:
                    return EvaluateClassifier(source.Require(ModelTask.Classifier, "eval"), file, result.GetValue(fold), source.Name, result.GetValue(threads));
            }
            var loaded = source.Require(ModelTask.LanguageModel, "eval");
            string name = source.Name;
            if (loaded.Tokenizer is WordTokenizer words)
                return EvaluateWordModel(loaded, words, file, name, result.GetValue(threads));
            int[] tokens = loaded.Tokenizer.Encode(StrictUtf8.ReadFile(file.FullName));
            if (limit > 0 && tokens.Length > limit) tokens = tokens[..limit];
            if (tokens.Length < 2) throw new ArgumentException($"{file.FullName}: needs at least two characters to score");
            int unknown = 0;
            foreach (int t in tokens) if (t == 0) unknown++;

            var clock = Stopwatch.StartNew();
            var progress = Console.IsErrorRedirected ? null : new TerminalProgress(tokens.Length);
            using var session = ModelSource.CreateSession(loaded, result.GetValue(threads));
            double bpc = BitsPerCharEvaluator.Evaluate(session, tokens, progress);
            progress?.Clear();
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{bpc:F4} bits/char on {tokens.Length:N0} characters of {file.Name} ({unknown} unknown), {seconds:F1} s, {1e6 * seconds / tokens.Length:F0} µs/char, model {name}"));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int EvaluateClassifier(ILanguageModel model, FileInfo file, string? fold, string name, int threads)
    {
        var rows = LabeledTextFile.Read(file.FullName);
        if (fold is not null)
        {
            rows = rows.Where(r => r.Fold == fold).ToList();
            if (rows.Count == 0) throw new ArgumentException($"{file.Name}: no texts in fold '{fold}'");
        }
        var (m, seconds) = TimedOnRunner(model, threads, runner => ClassifierEvaluator.Evaluate(model, rows, runner: runner));
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"accuracy {m.Accuracy:F4}, macro F1 {m.MacroF1:F4} on {m.Count:N0} texts of {file.Name}{(fold is null ? "" : $" (fold {fold})")}, {1e3 * seconds / m.Count:F2} ms/text, model {name}"));
        int width = Math.Max(8, m.Labels.Max(l => l.Length) + 2);
        Console.WriteLine("confusion (rows: true label, columns: predicted):");
        Console.WriteLine(new string(' ', width) + string.Concat(m.Labels.Select(l => l.PadLeft(width))) + "F1".PadLeft(8));
        for (int t = 0; t < m.Labels.Count; t++)
        {
            var line = new System.Text.StringBuilder(m.Labels[t].PadRight(width));
            for (int p = 0; p < m.Labels.Count; p++) line.Append(m.Confusion[t, p].ToString(invariant).PadLeft(width));
            line.Append(m.F1[t].ToString("F4", invariant).PadLeft(8));
            Console.WriteLine(line.ToString());
        }
        return ExitCodes.Success;
    }

    /// <summary>A word model's bits per word and perplexity, and bits per character of the same text to set beside a character model's.</summary>
    private static int EvaluateWordModel(ILanguageModel model, WordTokenizer words, FileInfo file, string name, int threads)
    {
        string text = StrictUtf8.ReadFile(file.FullName);
        var clock = Stopwatch.StartNew();
        using var session = ModelSource.CreateSession(model, threads);
        WordLmScore score = WordLmScore.Of(session, words, text);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{score.BitsPerWord:F4} bits/word, perplexity {score.Perplexity:F1} on {score.Words:N0} words of {file.Name} ({score.Unknown:N0} <unk>, {100.0 * score.Unknown / score.Words:F2}%), {seconds:F1} s, {1e6 * seconds / score.Words:F0} µs/word, model {name}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{score.BitsPerChar:F4} bits/char over its {score.Characters:N0} characters with <unk> as one token; {score.BitsPerCharSpelled:F4} with each unknown word spelled at {WordLmScore.SpellingBitsPerCharacter:F2} bits a character"));
        return ExitCodes.Success;
    }

    /// <summary>Runs <paramref name="evaluate"/> with a runner of the model (threads as asked) and says how long it took.</summary>
    private static (T Result, double Seconds) TimedOnRunner<T>(ILanguageModel model, int threads, Func<ISequenceRunner, T> evaluate)
    {
        var clock = Stopwatch.StartNew();
        using ISequenceRunner runner = ModelSource.CreateRunner(model, threads);
        return (evaluate(runner), clock.Elapsed.TotalSeconds);
    }

    /// <summary>A punctuation restorer's precision, recall and F1 per mark on punctuated lines (each line stripped, tagged and compared).</summary>
    private static int EvaluateTagger(ILanguageModel model, FileInfo file, string name, int threads)
    {
        if (!PunctuationTags.IsRestorer(model.Description)) return EvaluateWordTagger(model, file, name, threads);
        var lines = StrictUtf8.ReadFile(file.FullName).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new ArgumentException($"{file.Name}: no lines to score");
        var (m, seconds) = TimedOnRunner(model, threads, runner => TaggerEvaluator.Evaluate(model, lines, runner: runner));
        var invariant = CultureInfo.InvariantCulture;
        double markF1 = m.F1.AsSpan(1).ToArray().Average();
        Console.WriteLine(string.Create(invariant,
            $"mark F1 {markF1:F4} (mean over the marks), accuracy {m.Accuracy:F4} on {m.Count:N0} characters in {lines.Count:N0} lines of {file.Name}, {1e6 * seconds / m.Count:F1} µs/char, model {name}"));
        Console.WriteLine("label       support  precision   recall       F1");
        for (int c = 0; c < m.Labels.Count; c++)
        {
            int support = 0;
            for (int p = 0; p < m.Labels.Count; p++) support += m.Confusion[c, p];
            Console.WriteLine(string.Create(invariant, $"{m.Labels[c],-8}{support,11:N0}{m.Precision[c],11:F4}{m.Recall[c],9:F4}{m.F1[c],9:F4}"));
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// A tagger over words on a CoNLL file: token accuracy, on words outside the model's vocabulary, on universal
    /// tags (Brown tag sets) and, for BIO/BIOES tags, span F1 per type as conlleval counts it.
    /// </summary>
    private static int EvaluateWordTagger(ILanguageModel model, FileInfo file, string name, int threads)
    {
        var sentences = Runtime.Tagging.ConllFile.Read(file.FullName);
        var ((accuracy, spanF1), seconds) = TimedOnRunner(model, threads, runner => Runtime.Tagging.WordTaggerEvaluator.Evaluate(model, sentences, file.Name, runner));
        bool brown = !double.IsNaN(accuracy.CoarseAccuracy);
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant,
            $"accuracy {100 * accuracy.Accuracy:F2}% on {accuracy.Tokens:N0} tokens in {sentences.Count:N0} sentences of {file.Name}; words outside the vocabulary ({accuracy.UnknownTokens:N0}) {Runtime.Tagging.TagAccuracy.Percent(accuracy.UnknownAccuracy)}" +
            $"{(brown ? $"; universal tags {100 * accuracy.CoarseAccuracy:F2}%" : "")}, {1e6 * seconds / Math.Max(1, accuracy.Tokens):F1} µs/token, model {name}"));
        // The most frequent labels and errors: where the accuracy goes (a span tag set's spans follow).
        Console.WriteLine("label         tokens  accuracy   | most frequent errors (true → predicted)   tokens");
        var labels = accuracy.MostFrequentLabels(10).ToList();
        var errors = accuracy.MostFrequentErrors(10).ToList();
        for (int i = 0; i < Math.Max(labels.Count, errors.Count); i++)
        {
            string left = i < labels.Count ? string.Create(invariant, $"{labels[i].Label,-10}{labels[i].Tokens,9:N0}{100 * labels[i].Accuracy,9:F2}%") : "";
            string right = i < errors.Count ? string.Create(invariant, $"{$"{errors[i].Gold} → {errors[i].Predicted}",-40}{errors[i].Tokens,8:N0}") : "";
            Console.WriteLine($"{left,-29}   | {right}".TrimEnd());
        }
        if (spanF1 is not null)
        {
            Console.WriteLine("type        spans  precision   recall       F1");
            foreach (string? type in spanF1.Types.Order(StringComparer.Ordinal).Append<string?>(null))
            {
                var (p, r, f, g) = spanF1.Score(type);
                Console.WriteLine(string.Create(invariant, $"{type ?? "all",-8}{g,9:N0}{p,11:F4}{r,9:F4}{f,9:F4}"));
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>Word and phoneme error rates of a grapheme-to-phoneme model on a lexicon's words (default: split test).</summary>
    private static int EvaluateTransducer(ILanguageModel model, FileInfo file, string? split, string name, int beam, int threads)
    {
        if (beam is < 1 or > BeamSearchTransducer.DefaultMaxBeam) throw new ArgumentException($"--beam must be 1..{BeamSearchTransducer.DefaultMaxBeam}, got {beam}");
        var words = PronunciationLexicon.Read(file.FullName);
        string part = split ?? "test";
        words = words.Where(w => w.Split == part).ToList();
        if (words.Count == 0) throw new ArgumentException($"{file.Name}: no words in split '{part}'");
        bool stress = TransducerText.HasStress(model.Description);
        var clock = Stopwatch.StartNew();
        using ITransducer transducer = ModelSource.CreateTransducer(model, threads);
        TransductionMetrics metrics = TransducerEvaluator.Evaluate(model, words, beam, transducer);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"WER {metrics.Wer:F2}%, PER {metrics.Per:F2}% on {metrics.Words:N0} words of {file.Name} (split {part}), beam {beam}, phonemes {(stress ? "with" : "without")} stress, {1e3 * seconds / metrics.Words:F2} ms/word, model {name}"));
        return ExitCodes.Success;
    }

    /// <summary>Rolling-origin MAE, MAPE and MASE at horizons 1, 7 and 28 beside the seasonal baselines on the same days.</summary>
    private static int EvaluateForecaster(ILanguageModel model, FileInfo file, string? split, string name, int threads, FileInfo? plot)
    {
#if !PLOTS
        if (plot is not null) throw new NotSupportedException($"--plot {DevToolVerbs.Hint}");
#endif
        var series = DailySeriesFile.Read(file.FullName);
        var s = model.Description.Input.Series!;
        // The days scored: a named split (default test when the file has splits), else every day with enough history.
        (int Start, int End) range = series.Splits is null
            ? (split is null ? (Math.Max(364, s.RequiredHistory) + 27, series.Values.Length) : throw new ArgumentException($"--fold {split}: {file.Name} has no split column"))
            : series.Range(split ?? "test", file.Name);
        // MASE's scale: the lag-7 naive error on the training days, or on the days before the scored ones.
        var (scaleStart, scaleEnd) = series.Splits is not null && Array.IndexOf(series.Splits, "train") >= 0 ? series.Range("train", file.Name) : (0, range.Start);
        double scale = ForecastErrors.NaiveScale(series.Values.AsSpan(scaleStart, scaleEnd - scaleStart), 7);
        int[] horizons = ForecastEvaluator.StandardHorizons.Where(h => h <= s.Horizon || s.Strategy == ForecastStrategies.Recursive).ToArray();
        var clock = Stopwatch.StartNew();
        bool terminal = !Console.IsErrorRedirected;
        IReadOnlyList<HorizonErrors> errors;
        using (var forecaster = new Forecaster(model, m => ModelSource.CreateSession(m, threads)))
            errors = ForecastEvaluator.Evaluate(forecaster, series, range.Start, range.End, horizons,
                terminal ? (done, total) => { if (done % 50 == 0 || done == total) Console.Error.Write($"\r{done:N0}/{total:N0} forecasts"); } : null);
        if (terminal) Console.Error.Write("\r\e[K");
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{range.End - range.Start:N0} days of {file.Name} ({series.DayAt(range.Start):yyyy-MM-dd}..{series.DayAt(range.End - 1):yyyy-MM-dd}), every day a target at each horizon (rolling origin); MASE scale {scale:F1}; {seconds:F1} s, model {name}"));
        Console.Write(ForecastTable.Format(errors, scale));
        Console.WriteLine(ForecastTable.Summary(errors));
#if PLOTS
        if (plot is not null)
        {
            using var forecaster = new Forecaster(model);
            ForecastPlot.SaveEvaluation(plot.FullName, series, range.Start, range.End, s.Horizon, origin =>
            {
                var forecast = new float[s.Horizon];
                forecaster.Forecast(series.DayAt(origin), series.Values.AsSpan(0, origin + 1), forecast);
                return forecast;
            }, $"{Path.GetFileName(name)} on {series.DayAt(range.Start):yyyy-MM-dd}..{series.DayAt(range.End - 1):yyyy-MM-dd}: " +
               string.Join(", ", errors.Select(e => string.Create(CultureInfo.InvariantCulture, $"MAE {e.Model!.Mae:F0} at horizon {e.Horizon}"))));
            Console.Error.WriteLine($"plot: {plot.FullName}");
        }
#endif
        return ExitCodes.Success;
    }

    /// <summary>A one-line counter on stderr, only when stderr is a terminal.</summary>
    private sealed class TerminalProgress(int total) : IProgress<int>
    {
        public void Report(int done) => Console.Error.Write($"\r{done:N0}/{total:N0} characters scored");
        public void Clear() => Console.Error.Write("\r\e[K");
    }
}
