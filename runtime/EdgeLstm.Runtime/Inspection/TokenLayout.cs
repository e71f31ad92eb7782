namespace EdgeLstm.Runtime.Inspection;

/// <summary>
/// Tokens as a page shows them: a character model's are the text's own characters (one token per code point,
/// unknown ones included); a word model's are its token texts joined by spaces. Where each starts in
/// <see cref="Text"/> and its length in UTF-16 units.
/// </summary>
public sealed record TokenLayout(string Text, int[] Starts, int[] Lengths)
{
    public static TokenLayout Of(ITokenizer tokenizer, string text, int[] ids)
    {
        var shown = new StringBuilder();
        var starts = new int[ids.Length];
        var lengths = new int[ids.Length];
        bool characters = tokenizer is CharTokenizer && text.EnumerateRunes().Count() >= ids.Length;
        using var runes = text.EnumerateRunes().GetEnumerator();
        for (int t = 0; t < ids.Length; t++)
        {
            if (!characters && t > 0) shown.Append(' ');
            starts[t] = shown.Length;
            if (characters)
            {
                runes.MoveNext();
                shown.Append(runes.Current.ToString());
            }
            else
            {
                shown.Append(tokenizer.TokenText(ids[t]));
            }
            lengths[t] = shown.Length - starts[t];
        }
        return new TokenLayout(shown.ToString(), starts, lengths);
    }
}
