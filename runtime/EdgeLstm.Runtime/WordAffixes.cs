using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeLstm.Runtime;

/// <summary>
/// The affix ids of words (<see cref="AffixDescription"/>): for each word, its prefixes of 1..P and suffixes of 1..S
/// characters (text elements: code points, lower-cased, every digit read as 0; a word shorter than a length gives
/// the whole word for it) and its shape (each character as X, x, d or itself, runs collapsed: "McDonald" → XxXx,
/// "1990s" → dx, "U.S." → X.X.), each hashed with a kind mark ('p' + length, 's' + length, 'w') by XxHash32 (seed
/// 0) of its UTF-16 code units into one of the buckets. The trainer and every runtime compute the ids here, so
/// they agree; a file records only the description. Ids of a word are in a fixed order: prefixes by length,
/// suffixes by length, then the shape.
/// </summary>
public sealed class WordAffixes(AffixDescription description)
{
    public AffixDescription Description { get; } = description;

    /// <summary>Ids of every word, word-major: words.Count × <see cref="AffixDescription.PerWord"/>.</summary>
    public int[] Encode(IReadOnlyList<string> words)
    {
        int per = Description.PerWord;
        var ids = new int[words.Count * per];
        for (int i = 0; i < words.Count; i++) Encode(words[i], ids.AsSpan(i * per, per));
        return ids;
    }

    /// <summary>One word's <see cref="AffixDescription.PerWord"/> ids.</summary>
    public void Encode(string word, Span<int> ids)
    {
        if (ids.Length != Description.PerWord) throw new ArgumentException($"expected room for {Description.PerWord} affix ids", nameof(ids));
        string folded = Fold(word);
        // Start of each code point in folded (a surrogate pair is one character of an affix).
        var starts = new List<int>(folded.Length + 1);
        for (int i = 0; i < folded.Length; i += char.IsSurrogatePair(folded, i) ? 2 : 1) starts.Add(i);
        int characters = starts.Count;
        starts.Add(folded.Length);
        int j = 0;
        for (int length = 1; length <= Description.Prefixes; length++)
            ids[j++] = Bucket('p', length, folded.AsSpan(0, starts[Math.Min(length, characters)]));
        for (int length = 1; length <= Description.Suffixes; length++)
            ids[j++] = Bucket('s', length, folded.AsSpan(starts[Math.Max(0, characters - length)]));
        if (Description.Shape) ids[j] = Bucket('w', 0, Shape(word));
    }

    /// <summary>
    /// Throws unless <paramref name="affixes"/> holds what a model with description <paramref name="d"/> reads beside
    /// <paramref name="tokens"/> token ids: nothing without input.affixes, else PerWord ids below the bucket count per token.
    /// </summary>
    public static void Check(ModelDescription d, int tokens, ReadOnlySpan<int> affixes)
    {
        if (d.Input.Affixes is not { } a)
        {
            if (!affixes.IsEmpty) throw new ArgumentException("this model has no input.affixes; give token ids only", nameof(affixes));
            return;
        }
        if (affixes.Length != tokens * a.PerWord)
            throw new ArgumentException($"this model reads {a.PerWord} affix ids per token beside its token ids (WordAffixes); got {affixes.Length} for {tokens} tokens", nameof(affixes));
        foreach (int id in affixes)
            if ((uint)id >= (uint)a.Buckets) throw new ArgumentOutOfRangeException(nameof(affixes), id, $"affix id must be below {a.Buckets}");
    }

    /// <summary>The word as its affixes read it: lower-cased, every decimal digit as 0.</summary>
    private static string Fold(string word)
    {
        var builder = new StringBuilder(word.Length);
        foreach (Rune r in word.EnumerateRunes())
            builder.Append(Rune.IsDigit(r) ? new Rune('0') : Rune.ToLowerInvariant(r));
        return builder.ToString();
    }

    /// <summary>Each letter as X or x, each digit as d, anything else as itself; a run of one class kept once.</summary>
    public static string Shape(string word)
    {
        var builder = new StringBuilder(word.Length);
        Rune? last = null;
        foreach (Rune r in word.EnumerateRunes())
        {
            Rune c = Rune.IsDigit(r) ? new Rune('d') : Rune.IsUpper(r) ? new Rune('X') : Rune.IsLetter(r) ? new Rune('x') : r;
            if (c != last) builder.Append(c.ToString());
            last = c;
        }
        return builder.ToString();
    }

    private int Bucket(char kind, int length, ReadOnlySpan<char> text)
    {
        Span<char> marked = text.Length <= 126 ? stackalloc char[text.Length + 2] : new char[text.Length + 2];
        marked[0] = kind;
        marked[1] = (char)('0' + length);
        text.CopyTo(marked[2..]);
        uint hash = XxHash32.HashToUInt32(MemoryMarshal.AsBytes((ReadOnlySpan<char>)marked));
        return (int)(hash % (uint)Description.Buckets);
    }
}
