namespace EdgeLstm.Data;

/// <summary>
/// Five-character quatrains (SeqGAN's poem experiment; issue #32's data): from each Tang poem whose every line is five
/// Han characters closed by ， or 。, its consecutive four-line chunks — lines 1–4, 5–8, … (fewer than four lines left
/// over are dropped) — each as the poem wrote them, "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。". Chunks rather
/// than whole four-line poems: the whole ones are few (3,724 training poems in our split), the chunks many. A chunk
/// keeps its poem's split (the Tang files are split by poem), so no test poem's lines reach training.
/// </summary>
public static class Quatrains
{
    public const int LineCharacters = 5;
    public const int Lines = 4;

    /// <summary>The poem's quatrains (none if any of its lines is not five Han characters and a mark).</summary>
    public static List<string> Of(string poem)
    {
        var quatrains = new List<string>();
        if (FiveCharacterLines(poem) is not { } lines) return quatrains;
        for (int first = 0; first + Lines <= lines.Count; first += Lines) quatrains.Add(string.Concat(lines.GetRange(first, Lines)));
        return quatrains;
    }

    /// <summary>Whole poems of exactly four five-character lines (jueju5), counted for the data's description.</summary>
    public static bool IsWholeQuatrain(string poem) => FiveCharacterLines(poem)?.Count == Lines;

    /// <summary>The poem's lines, each with its closing mark, if every line is five Han characters (code points); else null.</summary>
    private static List<string>? FiveCharacterLines(string poem)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < poem.Length; i++)
        {
            if (poem[i] is not ('，' or '。')) continue;
            string text = poem[start..i];
            if (text.EnumerateRunes().Count() != LineCharacters || !ChinesePoetryCorpus.IsClean(text, "")) return null;
            lines.Add(poem[start..(i + 1)]);
            start = i + 1;
        }
        return start == poem.Length && lines.Count > 0 ? lines : null;
    }
}
