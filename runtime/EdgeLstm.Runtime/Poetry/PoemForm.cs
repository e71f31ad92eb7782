namespace EdgeLstm.Runtime.Poetry;

/// <summary>
/// A regulated form of classical Chinese verse: a fixed number of lines of a fixed number of characters, a
/// comma after each odd line and a full stop after each even one (the couplet's end), as the Tang corpus
/// punctuates it. jueju: 4 lines (a quatrain), lüshi: 8 lines; 5 or 7 characters a line.
/// </summary>
public sealed record PoemForm(string Name, int LineLength, int Lines)
{
    public const char Comma = '，', FullStop = '。';

    public static readonly PoemForm Jueju5 = new("jueju5", 5, 4);
    public static readonly PoemForm Jueju7 = new("jueju7", 7, 4);
    public static readonly PoemForm Lushi5 = new("lushi5", 5, 8);
    public static readonly PoemForm Lushi7 = new("lushi7", 7, 8);
    public static IReadOnlyList<PoemForm> All { get; } = [Jueju5, Jueju7, Lushi5, Lushi7];

    /// <summary>Characters of a whole poem, marks included (no newline).</summary>
    public int Length => Lines * (LineLength + 1);

    public static PoemForm Parse(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"--form must be one of {string.Join(", ", All.Select(f => f.Name))}, got '{name}'");

    /// <summary>What position <paramref name="index"/> of the poem holds: a Han character, or the mark it must be.</summary>
    public char? MarkAt(int index)
    {
        int inLine = index % (LineLength + 1);
        if (inLine < LineLength) return null;
        return index / (LineLength + 1) % 2 == 0 ? Comma : FullStop;
    }

    /// <summary>True when <paramref name="poem"/> (code points, no newline) is exactly this form: Han characters and marks in their places.</summary>
    public bool IsWellFormed(string poem) => MatchesPrefix(poem, out int length) && length == Length;

    /// <summary>True when <paramref name="text"/> could begin a poem of this form; <paramref name="length"/> is its count of code points.</summary>
    public bool MatchesPrefix(string text, out int length)
    {
        length = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (length >= Length) return false;
            char? mark = MarkAt(length);
            if (mark is { } m ? rune.Value != m : !IsHan(rune)) return false;
            length++;
        }
        return true;
    }

    /// <summary>The first form <paramref name="poem"/> is well formed in, or null.</summary>
    public static PoemForm? Of(string poem) => All.FirstOrDefault(f => f.IsWellFormed(poem));

    /// <summary>CJK unified ideographs (with extension A and B onwards) and the compatibility block.</summary>
    public static bool IsHan(Rune rune) => rune.Value is (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x3134F);
}
