namespace EdgeLstm.Data;

/// <summary>
/// UCI Sentiment Labelled Sentences, as shipped in the npm package <c>sentiment</c> 5.0.2
/// (<c>test/fixtures/{amazon,imdb,yelp}.json</c>: 1,000 sentences each, 500 negative and 500 positive; the final
/// empty entry of each file is dropped). Folds for 10-fold cross-validation are dealt per source and class:
/// each source's negative sentences, then its positive ones, are shuffled with seed 20261126 and dealt round-robin
/// into folds 0..9, so every fold holds 50 negative and 50 positive sentences of each source.
/// </summary>
public static class SentimentCorpus
{
    public const string PackageSpec = "sentiment@5.0.2";
    public const string PackageFileName = "sentiment-5.0.2.tgz";
    public const int Folds = 10;
    public const int Seed = 20261126;
    public static readonly string[] Sources = ["amazon", "imdb", "yelp"];
    public static readonly string[] Labels = ["negative", "positive"];

    public static List<LabeledText> Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => name.StartsWith("package/test/fixtures/", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f.Path), f => f.Text);
        var rows = new List<LabeledText>();
        foreach (string source in Sources)
        {
            if (!files.TryGetValue(source, out string? json)) throw new InvalidDataException($"{tgzPath}: package/test/fixtures/{source}.json is missing");
            using var document = JsonDocument.Parse(json);
            var byClass = new List<string>[] { [], [] };
            foreach (JsonElement item in document.RootElement.EnumerateArray())
            {
                JsonElement label = item.GetProperty("class");
                string text = item.GetProperty("text").GetString() ?? "";
                if (label.ValueKind == JsonValueKind.Null && text.Length == 0) continue; // the trailing empty entry
                int c = label.GetInt32();
                if (c is not (0 or 1)) throw new InvalidDataException($"{tgzPath}: {source}.json has class {c}; expected 0 or 1");
                byClass[c].Add(text.Trim());
            }
            for (int c = 0; c < 2; c++)
            {
                int[] fold = NpmPackage.DealFolds(byClass[c].Count, Folds, Seed + c);
                for (int i = 0; i < byClass[c].Count; i++) rows.Add(new LabeledText(fold[i].ToString(), source, Labels[c], byClass[c][i]));
            }
        }
        if (rows.Count != 3000) throw new InvalidDataException($"{tgzPath}: expected 3 × 1,000 sentences, found {rows.Count}");
        return rows;
    }
}
