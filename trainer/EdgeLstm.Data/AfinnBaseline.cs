namespace EdgeLstm.Data;

/// <summary>
/// The lexicon baseline: the <c>sentiment</c> package's own scoring, reimplemented. AFINN word scores from
/// <c>languages/en/labels.json</c>, a score negated when the previous token is in <c>negators.json</c>, the
/// package's tokenizer (lower-case, these punctuation marks become spaces, split on spaces); positive when the
/// total is ≥ 0, as the package's validate.js counts it.
/// </summary>
public sealed partial class AfinnBaseline
{
    private readonly Dictionary<string, int> _scores;
    private readonly HashSet<string> _negators;

    private AfinnBaseline(Dictionary<string, int> scores, HashSet<string> negators)
    {
        _scores = scores;
        _negators = negators;
    }

    public static AfinnBaseline Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, SentimentCorpus.PackageSpec, name => name is "package/languages/en/labels.json" or "package/languages/en/negators.json")
            .ToDictionary(f => Path.GetFileName(f.Path), f => f.Text);
        if (files.Count != 2) throw new InvalidDataException($"{tgzPath}: languages/en/labels.json or negators.json is missing");
        var scores = JsonSerializer.Deserialize(files["labels.json"], DataJsonContext.Default.DictionaryStringInt32)!;
        var negators = JsonSerializer.Deserialize(files["negators.json"], DataJsonContext.Default.DictionaryStringInt32)!;
        return new AfinnBaseline(scores, [.. negators.Keys]);
    }

    public int Score(string text)
    {
        string[] tokens = Spaces().Replace(Punctuation().Replace(text.ToLowerInvariant().Replace('\n', ' '), " "), " ").Trim().Split(' ');
        int score = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!_scores.TryGetValue(tokens[i], out int s)) continue;
            if (i > 0 && _negators.Contains(tokens[i - 1])) s = -s;
            score += s;
        }
        return score;
    }

    public string Classify(string text) => Score(text) >= 0 ? "positive" : "negative";

    [GeneratedRegex("""[.,\/#!?$%\^&\*;:{}=_`"~()]""")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"\s\s+")]
    private static partial Regex Spaces();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, int>))]
internal sealed partial class DataJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
