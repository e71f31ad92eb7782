namespace EdgeLstm.Runtime;

/// <summary>
/// A word language model's score on a text, put so it compares with a character model's bits/char on the same
/// text. Bits per word as <see cref="BitsPerCharEvaluator"/> scores tokens; perplexity 2^bits. Per character
/// (code points of the text, spaces and newlines included, which the word model does not predict) two ways:
/// with each &lt;unk&gt; scored as the token it is (flattering: the word need not be spelled), and with each
/// unknown word also spelled at log2(96) bits a character plus one for its end (printable ASCII and an end
/// mark, uniform) — an upper bound a character model pays nothing like.
/// </summary>
public sealed record WordLmScore(double BitsPerWord, int Words, int Characters, int Unknown, int UnknownCharacters)
{
    public static readonly double SpellingBitsPerCharacter = Math.Log2(96);

    public double Perplexity => Math.Pow(2, BitsPerWord);
    public double BitsPerChar => BitsPerWord * (Words - 1) / (Characters - 1);
    public double BitsPerCharSpelled => (BitsPerWord * (Words - 1) + (UnknownCharacters + Unknown) * SpellingBitsPerCharacter) / (Characters - 1);

    public static WordLmScore Of(ILanguageModelSession session, WordTokenizer tokenizer, string text, IProgress<int>? progress = null)
    {
        List<string> pieces = WordTokenizer.Split(text, tokenizer.Lowercase);
        int[] ids = tokenizer.Encode(text);
        int unknown = 0, unknownCharacters = 0;
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] == WordTokenizer.UnkId)
            {
                unknown++;
                unknownCharacters += pieces[i].EnumerateRunes().Count();
            }
        double bits = BitsPerCharEvaluator.Evaluate(session, ids, progress);
        return new WordLmScore(bits, ids.Length, text.EnumerateRunes().Count(), unknown, unknownCharacters);
    }
}
