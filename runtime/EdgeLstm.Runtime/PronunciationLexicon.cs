namespace EdgeLstm.Runtime;

/// <summary>A word with every pronunciation it has (phoneme symbols), and the split it belongs to.</summary>
public sealed record LexiconWord(string Word, string[][] Pronunciations, string Split);

/// <summary>
/// Reads a pronouncing lexicon as <c>edgelstm-data cmudict</c> writes it: a header, then tab-separated
/// <c>word</c>, <c>pronunciations</c> (phonemes separated by spaces, alternatives by <c>|</c>) and <c>split</c>.
/// Faults are one-line <see cref="FormatException"/>s naming the file and line.
/// </summary>
public static class PronunciationLexicon
{
    public static List<LexiconWord> Read(string path)
    {
        string name = Path.GetFileName(path);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new FormatException($"{path}: cannot read: {e.Message}"); }
        if (lines.Length == 0 || lines[0].Trim() != "word\tpronunciations\tsplit")
            throw new FormatException($"{name}: line 1 must be the header word<TAB>pronunciations<TAB>split");
        var words = new List<LexiconWord>(lines.Length);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            string[] cells = lines[i].Split('\t');
            if (cells.Length != 3 || cells[0].Length == 0)
                throw new FormatException($"{name}: line {i + 1} is not word<TAB>pronunciations<TAB>split");
            string[][] pronunciations = cells[1].Split('|').Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            if (Array.Exists(pronunciations, p => p.Length == 0))
                throw new FormatException($"{name}: line {i + 1}: an empty pronunciation");
            words.Add(new LexiconWord(cells[0], pronunciations, cells[2]));
        }
        return words;
    }

    /// <summary>A phoneme without its stress digit (AH0 → AH).</summary>
    public static string WithoutStress(string phoneme) => phoneme.TrimEnd('0', '1', '2');
}
