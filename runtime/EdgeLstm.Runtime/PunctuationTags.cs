namespace EdgeLstm.Runtime;

/// <summary>
/// Punctuation restoration as per-character tagging: each character of the unpunctuated text is tagged with the
/// mark that follows it in the original, or with label 0 ("none"). A tag model is a punctuation restorer when
/// every label after the first is a single punctuation mark; its labels are then the marks to insert.
/// </summary>
public static class PunctuationTags
{
    public const string None = "none";

    /// <summary>True when the model's tag labels are "none" followed by single punctuation characters.</summary>
    public static bool IsRestorer(ModelDescription model)
    {
        string[] labels = model.Head.Labels;
        if (model.Kind != ModelTask.Tagger || labels.Length < 2 || labels[0] != None) return false;
        for (int i = 1; i < labels.Length; i++)
            if (labels[i].Length != 1 || !char.IsPunctuation(labels[i][0])) return false;
        return true;
    }

    /// <summary>
    /// The text without the marks in <paramref name="labels"/>[1..] and, per remaining code point, the index of the
    /// mark that followed it (0 for none). A mark with no character before it, or a second mark after one, is dropped
    /// (the first mark after a character is its label).
    /// </summary>
    public static (string Text, int[] Labels) Strip(string punctuated, IReadOnlyList<string> labels)
    {
        var text = new StringBuilder(punctuated.Length);
        var tags = new List<int>(punctuated.Length);
        bool marked = false;
        foreach (Rune rune in punctuated.EnumerateRunes())
        {
            int mark = MarkIndex(rune, labels);
            if (mark > 0)
            {
                if (tags.Count > 0 && !marked) tags[^1] = mark;
                marked = true;
                continue;
            }
            text.Append(rune.ToString());
            tags.Add(0);
            marked = false;
        }
        return (text.ToString(), tags.ToArray());
    }

    /// <summary>Writes each code point of <paramref name="text"/> followed by its mark (none for label 0).</summary>
    public static string Restore(string text, ReadOnlySpan<int> tags, IReadOnlyList<string> labels)
    {
        var output = new StringBuilder(text.Length + tags.Length / 2);
        int i = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            output.Append(rune.ToString());
            if (i < tags.Length && tags[i] > 0) output.Append(labels[tags[i]]);
            i++;
        }
        return output.ToString();
    }

    private static int MarkIndex(Rune rune, IReadOnlyList<string> labels)
    {
        for (int i = 1; i < labels.Count; i++)
            if (labels[i].Length == 1 && rune.IsBmp && labels[i][0] == (char)rune.Value) return i;
        return 0;
    }
}
