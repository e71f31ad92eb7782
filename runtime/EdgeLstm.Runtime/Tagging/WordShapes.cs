namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// A word's spelling class ("signature", as unknown-word models of taggers and parsers use): number, or
/// capitalised / lower-case with a hyphen or one of a fixed list of suffixes. A word tokenizer with unknown
/// "shapes" gives a word outside its vocabulary the token of its class instead of one &lt;unk&gt;, and the HMM
/// baseline emits rare words as their class: so "Quuxly" reads as a capitalised -ly word.
/// </summary>
public static class WordShapes
{
    private static readonly string[] Suffixes = ["ing", "ed", "ly", "tion", "ness", "ment", "able", "ous", "ive", "al", "er", "est", "ity", "s"];

    /// <summary>Every class <see cref="Of"/> can return, in a fixed order.</summary>
    public static readonly string[] All =
        ["number", .. new[] { "cap", "low" }.SelectMany(c => new[] { c, c + "-hyphen" }.Concat(Suffixes.Select(s => $"{c}-{s}")))];

    public static string Of(string word)
    {
        if (word.Length == 0) return "low";
        foreach (char c in word) if (char.IsDigit(c)) return "number";
        string lower = word.ToLowerInvariant();
        string prefix = char.IsUpper(word[0]) ? "cap" : "low";
        if (word.Contains('-')) return prefix + "-hyphen";
        foreach (string suffix in Suffixes)
            if (lower.Length > suffix.Length + 2 && lower.EndsWith(suffix, StringComparison.Ordinal)) return $"{prefix}-{suffix}";
        return prefix;
    }
}
