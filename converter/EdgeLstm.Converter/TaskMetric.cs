using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Converter;

/// <summary>
/// A model's task metric on validation data, what `convert --valid` reports and `convert --max-loss` bounds:
/// bits/char (or bits/word) of a language model, accuracy of a classifier, mark F1 of a punctuation tagger, token accuracy of a word tagger (CoNLL file), mean
/// MAE of a forecaster, greedy WER of a sequence-to-sequence model. The data is read once; <see cref="Score"/> runs
/// a model over it. <see cref="Tolerance"/> is the loss that does not matter for the task (issue #30's bounds:
/// 0.005 bits/char, 0.01 bits/word, 0.2 points of accuracy, F1 or WER, 0.5% of MAE): what `convert --weight-bits
/// auto` may spend on 7-bit weights.
/// </summary>
public sealed record TaskMetric(string Name, bool LowerIsBetter, double Tolerance, bool RelativeTolerance, string On, Func<ILanguageModel, double> Score)
{
    /// <summary>How much worse <paramref name="candidate"/> is than <paramref name="reference"/> (negative: better).</summary>
    public double Loss(double reference, double candidate) => LowerIsBetter ? candidate - reference : reference - candidate;

    /// <summary>True when <paramref name="candidate"/> loses at most <see cref="Tolerance"/> against <paramref name="reference"/> (a fraction of it when relative).</summary>
    public bool WithinTolerance(double reference, double candidate) => Loss(reference, candidate) <= (RelativeTolerance ? Tolerance * Math.Abs(reference) : Tolerance);

    public string ToleranceText => RelativeTolerance
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{100 * Tolerance:G3}% of {Name}")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Tolerance:G3} {Name}");

    public static TaskMetric For(ILanguageModel original, string path, string? fold, int evalChars)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        ModelDescription d = original.Description;
        return d.Kind switch
        {
            ModelTask.Forecaster => Forecast(d.Input.Series!, path, fold),
            ModelTask.Transducer => Transduce(path, fold),
            ModelTask.LanguageModel => NextToken(original.Tokenizer, path, evalChars),
            ModelTask.Tagger when PunctuationTags.IsRestorer(d) => Punctuation(path),
            ModelTask.Tagger => WordTags(path),
            ModelTask.Classifier => Classify(path, fold),
            _ => throw new ArgumentException($"--valid: no metric for a '{d.Task}' model yet"),
        };
    }

    private static TaskMetric Forecast(SeriesDescription series, string path, string? fold)
    {
        var data = DailySeriesFile.Read(path);
        var (start, end) = data.Range(fold ?? "valid", Path.GetFileName(path));
        int[] horizons = Enumerable.Range(1, series.Horizon).ToArray();
        return new TaskMetric($"MAE (mean of horizons 1..{series.Horizon})", true, 0.005, true, $"{end - start:N0} days of split '{fold ?? "valid"}', rolling origin", model =>
        {
            using var forecaster = new Forecaster(model);
            return ForecastEvaluator.Evaluate(forecaster, data, start, end, horizons).Average(e => e.Model!.Mae);
        });
    }

    private static TaskMetric Transduce(string path, string? fold)
    {
        string split = fold ?? "valid";
        var words = PronunciationLexicon.Read(path).Where(w => w.Split == split).ToList();
        if (words.Count == 0) throw new ArgumentException($"{path}: no words in split '{split}'");
        return new TaskMetric("WER % (greedy)", true, 0.2, false, $"{words.Count:N0} words of split '{split}'", model => TransducerEvaluator.Evaluate(model, words, 1).Wer);
    }

    private static TaskMetric NextToken(ITokenizer tokenizer, string path, int evalChars)
    {
        int[] tokens = tokenizer.Encode(StrictUtf8.ReadFile(path));
        if (evalChars > 0 && tokens.Length > evalChars) tokens = tokens[..evalChars];
        bool words = tokenizer is WordTokenizer;
        return new TaskMetric(words ? "bits/word" : "bits/char", true, words ? 0.01 : 0.005, false, $"{tokens.Length:N0} validation {(words ? "words" : "characters")}",
            model => BitsPerCharEvaluator.Evaluate(model, tokens));
    }

    private static TaskMetric Punctuation(string path)
    {
        var lines = StrictUtf8.ReadFile(path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new ArgumentException($"{path}: no lines to score");
        return new TaskMetric("mark F1", false, 0.002, false, $"{lines.Count:N0} punctuated lines", model => TaggerEvaluator.Evaluate(model, lines).F1.AsSpan(1).ToArray().Average());
    }

    private static TaskMetric WordTags(string path)
    {
        var sentences = Runtime.Tagging.ConllFile.Read(path);
        return new TaskMetric("token accuracy", false, 0.002, false, $"{sentences.Count:N0} CoNLL sentences",
            model => Runtime.Tagging.WordTaggerEvaluator.Evaluate(model, sentences, Path.GetFileName(path)).Accuracy.Accuracy);
    }

    private static TaskMetric Classify(string path, string? fold)
    {
        var rows = LabeledTextFile.Read(path);
        if (fold is not null) rows = rows.Where(r => r.Fold == fold).ToList();
        if (rows.Count == 0) throw new ArgumentException($"{path}: no labelled texts in fold '{fold}'");
        return new TaskMetric("accuracy", false, 0.002, false, $"{rows.Count:N0} labelled texts{(fold is null ? "" : $" (fold {fold})")}",
            model => ClassifierEvaluator.Evaluate(model, rows).Accuracy);
    }
}
