namespace EdgeLstm.Runtime;

/// <summary>Text in and out of a sequence-to-sequence model whose input is characters and output is symbols (grapheme-to-phoneme).</summary>
public static class TransducerText
{
    /// <summary>
    /// The word's character ids. A word the model's alphabet does not cover as written is tried upper-cased (CMUdict
    /// words are upper-case); a character it still lacks is a one-line <see cref="ArgumentException"/>.
    /// </summary>
    public static int[] Encode(ITokenizer tokenizer, string word)
    {
        if (word.Length == 0) throw new ArgumentException("an empty word");
        if (tokenizer is not CharTokenizer chars) throw new NotSupportedException("this model does not read characters");
        int[] ids = chars.Encode(word);
        if (Array.IndexOf(ids, CharTokenizer.UnknownId) < 0) return ids;
        ids = chars.Encode(word.ToUpperInvariant());
        if (Array.IndexOf(ids, CharTokenizer.UnknownId) < 0) return ids;
        // Name the first character the alphabet has in neither case, as the user wrote it.
        int position = 0;
        foreach (var rune in word.EnumerateRunes())
        {
            if (chars.Encode(rune.ToString())[0] == CharTokenizer.UnknownId && chars.Encode(rune.ToString().ToUpperInvariant())[0] == CharTokenizer.UnknownId)
                throw new ArgumentException($"'{word}' has a character the model does not know: '{rune}' (U+{rune.Value:X4}) at position {position}");
            position++;
        }
        throw new ArgumentException($"'{word}' mixes characters the model knows only in other cases; write it in one case");
    }

    /// <summary>The output symbols of <paramref name="ids"/>, space-separated.</summary>
    public static string Symbols(ModelDescription description, ReadOnlySpan<int> ids)
    {
        var parts = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++) parts[i] = description.Head.Labels[ids[i]];
        return string.Join(' ', parts);
    }

    /// <summary>True when the model's output symbols carry stress digits (AH0), so references are compared as they are.</summary>
    public static bool HasStress(ModelDescription description) =>
        Array.Exists(description.Head.Labels, l => l.Length > 1 && char.IsAsciiDigit(l[^1]));
}
