using System.Globalization;

namespace EdgeLstm.Runtime;

/// <summary>
/// One token per word or punctuation mark. A word is a run of letters, digits and combining marks, with
/// apostrophes inside it ("don't"); every other non-space character is a token of its own. Optionally
/// lower-cases first (invariant culture). Id 0 is &lt;pad&gt; (never produced by encoding; the trainer pads
/// batches with it), id 1 is &lt;unk&gt; (words outside the vocabulary). The vocabulary is the most frequent
/// words of the training text, capped at a size the trainer chooses.
/// </summary>
public sealed class WordTokenizer : ITokenizer
{
    public const int PadId = 0;
    public const int UnkId = 1;
    public const string PadToken = "<pad>";
    public const string UnkToken = "<unk>";

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;

    private WordTokenizer(string[] words, bool lowercase, bool whitespace = false, bool zeroDigits = false, bool unknownShapes = false)
    {
        _words = words;
        Lowercase = lowercase;
        Whitespace = whitespace;
        ZeroDigits = zeroDigits;
        UnknownShapes = unknownShapes;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int id = 2; id < words.Length; id++) _ids.Add(words[id], id);
    }

    public string Kind => TokenizerKinds.Word;
    public bool Lowercase { get; }
    /// <summary>Pre-tokenized text (CoNLL tokens): split at white space only, each piece one token as it is.</summary>
    public bool Whitespace { get; }
    /// <summary>Every decimal digit is read as 0, so numbers share their shapes' vectors ("1984" and "2001" are "0000").</summary>
    public bool ZeroDigits { get; }
    /// <summary>
    /// A word outside the vocabulary becomes the token of its spelling class, "&lt;unk:cap-ly&gt;" (<see cref="Tagging.WordShapes"/>;
    /// ids 2 … 2 + the classes − 1), not &lt;unk&gt;: the model learns those from the training words below the minimum count.
    /// </summary>
    public bool UnknownShapes { get; }

    /// <summary>True for &lt;unk&gt; and the spelling classes' tokens: ids of words outside the vocabulary.</summary>
    public bool IsOutOfVocabulary(int id) => id == UnkId || (UnknownShapes && id >= 2 && id < 2 + Tagging.WordShapes.All.Length);

    /// <summary>The vocabulary entry of a spelling class.</summary>
    public static string ShapeToken(string shape) => $"<unk:{shape}>";
    public int VocabularySize => _words.Length;
    public int UnknownId => UnkId;

    /// <summary>The <paramref name="maxSize"/> − 2 most frequent words of <paramref name="texts"/> seen at least <paramref name="minCount"/> times (ties by ordinal order).</summary>
    public static WordTokenizer Build(IEnumerable<string> texts, int maxSize, int minCount, bool lowercase, bool whitespace = false, bool zeroDigits = false,
        bool unknownShapes = false)
    {
        if (maxSize < 3) throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "a word vocabulary needs room for <pad>, <unk> and a word");
        var splitter = new WordTokenizer([PadToken, UnkToken], lowercase, whitespace, zeroDigits);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string text in texts)
            foreach (string word in splitter.Pieces(text))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        var kept = counts.Where(p => p.Value >= minCount).ToList();
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var words = new List<string> { PadToken, UnkToken };
        if (unknownShapes) words.AddRange(Tagging.WordShapes.All.Select(ShapeToken));
        foreach (var (word, _) in kept.Take(Math.Max(1, maxSize - words.Count))) words.Add(word);
        return new WordTokenizer(words.ToArray(), lowercase, whitespace, zeroDigits, unknownShapes);
    }

    /// <summary>Reads a stored vocabulary: entries 0 and 1 are &lt;pad&gt; and &lt;unk&gt;, then distinct words.</summary>
    public static WordTokenizer FromVocabulary(string[] words, bool lowercase, string source, bool whitespace = false, bool zeroDigits = false,
        bool unknownShapes = false)
    {
        if (words.Length < 3 || words[PadId] != PadToken || words[UnkId] != UnkToken)
            throw new ModelFormatException($"{source}: a word vocabulary starts with \"{PadToken}\", \"{UnkToken}\" and has at least one word");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int id = 2; id < words.Length; id++)
        {
            string w = words[id];
            if (string.IsNullOrEmpty(w) || w.Any(char.IsWhiteSpace))
                throw new ModelFormatException($"{source}: word vocabulary entry {id} is empty or has white space");
            if (!seen.Add(w)) throw new ModelFormatException($"{source}: word vocabulary entry {id} repeats \"{w}\"");
        }
        if (unknownShapes)
            for (int i = 0; i < Tagging.WordShapes.All.Length; i++)
                if (2 + i >= words.Length || words[2 + i] != ShapeToken(Tagging.WordShapes.All[i]))
                    throw new ModelFormatException($"{source}: a word vocabulary with unknown shapes has \"{ShapeToken(Tagging.WordShapes.All[i])}\" at entry {2 + i}");
        return new WordTokenizer((string[])words.Clone(), lowercase, whitespace, zeroDigits, unknownShapes);
    }

    /// <summary>The tokens of <paramref name="text"/> as this tokenizer reads them: split (words and marks, or at white space), lower-cased and digits zeroed if set.</summary>
    public List<string> Pieces(string text) => Pieces(text, normalize: true);

    /// <summary>The tokens of <paramref name="text"/> as written (not lower-cased, digits kept), one per id <see cref="Encode"/> gives: what a tagger labels.</summary>
    public List<string> Surface(string text) => Pieces(text, normalize: false);

    private List<string> Pieces(string text, bool normalize)
    {
        bool lower = normalize && Lowercase;
        List<string> pieces = Whitespace
            ? [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(p => lower ? p.ToLowerInvariant() : p)]
            : Split(text, lower);
        if (normalize && ZeroDigits)
            for (int i = 0; i < pieces.Count; i++)
                if (pieces[i].Any(char.IsAsciiDigit)) pieces[i] = string.Concat(pieces[i].Select(c => char.IsAsciiDigit(c) ? '0' : c));
        return pieces;
    }

    /// <summary>The words and punctuation marks of <paramref name="text"/>, in order.</summary>
    public static List<string> Split(string text, bool lowercase)
    {
        if (lowercase) text = text.ToLowerInvariant();
        var pieces = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            // An apostrophe only joins letters: trailing ones ("students'") are punctuation.
            int apostrophes = 0;
            while (word.Length > 0 && word[^1] == '\'') { word.Length--; apostrophes++; }
            if (word.Length > 0) pieces.Add(word.ToString());
            for (int i = 0; i < apostrophes; i++) pieces.Add("'");
            word.Clear();
        }
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (IsWordRune(rune) || (rune.Value is '\'' or '\u2019' && word.Length > 0))
            {
                word.Append(rune.Value == '\u2019' ? "'" : rune.ToString());
                continue;
            }
            Flush();
            if (!Rune.IsWhiteSpace(rune)) pieces.Add(rune.ToString());
        }
        Flush();
        return pieces;
    }

    private static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => true,
        _ => false,
    };

    public int[] Encode(string text)
    {
        var pieces = Pieces(text);
        var ids = new int[pieces.Count];
        List<string>? surface = UnknownShapes ? Surface(text) : null; // the class from the word as written (case, digits)
        for (int i = 0; i < ids.Length; i++)
            ids[i] = _ids.TryGetValue(pieces[i], out int id) ? id
                : surface is not null ? 2 + Array.IndexOf(Tagging.WordShapes.All, Tagging.WordShapes.Of(surface[i]))
                : UnkId;
        return ids;
    }

    /// <summary>Words outside the vocabulary are normal input for a word model (they become &lt;unk&gt;), so this is <see cref="Encode"/>; it only rejects empty input.</summary>
    public int[] EncodeStrict(string text, string what)
    {
        int[] ids = Encode(text);
        if (ids.Length == 0) throw new ArgumentException($"{what} has no words");
        return ids;
    }

    public string TokenText(int id) => (uint)id < (uint)_words.Length
        ? _words[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id must be below {_words.Length}");

    public string Decode(ReadOnlySpan<int> ids)
    {
        var builder = new StringBuilder();
        foreach (int id in ids) builder.Append(builder.Length == 0 ? TokenText(id) : Continuation(id));
        return builder.ToString();
    }

    /// <summary>A space, then the word; closing punctuation attaches to the word before it.</summary>
    public string Continuation(int id)
    {
        string piece = TokenText(id);
        bool attach = piece.Length == 1 && piece[0] is '.' or ',' or '!' or '?' or ';' or ':' or ')' or '\'';
        return attach ? piece : " " + piece;
    }

    public TokenizerDescription ToDescription() =>
        new()
        {
            Kind = TokenizerKinds.Word, Vocabulary = (string[])_words.Clone(), Lowercase = Lowercase,
            Split = Whitespace ? TokenizerDescription.WhitespaceSplit : null, Digits = ZeroDigits ? TokenizerDescription.ZeroDigits : null,
            Unknown = UnknownShapes ? TokenizerDescription.ShapesUnknown : null,
        };
}
