using System.Text.Json;

namespace EdgeLstm.Runtime;

/// <summary>
/// One token per Unicode code point (a <see cref="Rune"/>, never half a surrogate pair). Id 0 is the
/// unknown token; it decodes to U+FFFD, which is therefore never a regular vocabulary entry.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    public const int UnknownId = 0;
    public static readonly Rune UnknownRune = new(0xFFFD);

    private readonly Rune[] _runes;
    private readonly Dictionary<int, int> _ids;

    private CharTokenizer(Rune[] runes)
    {
        _runes = runes;
        _ids = new Dictionary<int, int>(runes.Length);
        for (int id = 1; id < runes.Length; id++)
            _ids.Add(runes[id].Value, id);
    }

    public int VocabularySize => _runes.Length;

    /// <summary>
    /// Builds the vocabulary from the distinct code points in <paramref name="text"/> seen at least
    /// <paramref name="minCount"/> times, sorted by value; rarer ones become the unknown token (for scripts with
    /// thousands of characters, where the rarest cannot be learned and would only widen the output layer).
    /// </summary>
    public static CharTokenizer FromText(string text, int minCount = 1)
    {
        var counts = new Dictionary<int, int>();
        foreach (Rune rune in text.EnumerateRunes())
            if (rune != UnknownRune) counts[rune.Value] = counts.GetValueOrDefault(rune.Value) + 1;
        var set = new SortedSet<int>();
        foreach (var (value, count) in counts)
            if (count >= minCount) set.Add(value);
        var runes = new Rune[set.Count + 1];
        runes[0] = UnknownRune;
        int i = 1;
        foreach (int value in set) runes[i++] = new Rune(value);
        return new CharTokenizer(runes);
    }

    /// <summary>Reads the JSON array stored in the model metadata: one string per id, id 0 being U+FFFD.</summary>
    public static CharTokenizer FromJson(string json, string source)
    {
        string[]? tokens;
        try
        {
            tokens = JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.StringArray);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Vocabulary}' is not a JSON array of strings ({e.Message})");
        }
        return FromVocabulary(tokens, source);
    }

    /// <summary>One string per id, id 0 being U+FFFD; every entry validated.</summary>
    public static CharTokenizer FromVocabulary(string[]? tokens, string source)
    {
        if (tokens is null || tokens.Length < 2)
            throw new ModelFormatException($"{source}: the vocabulary must list at least the unknown token and one character");
        var runes = new Rune[tokens.Length];
        var seen = new HashSet<int>();
        for (int id = 0; id < tokens.Length; id++)
        {
            string? token = tokens[id];
            if (token is null)
                throw new ModelFormatException($"{source}: vocabulary entry {id} is null; expected one character");
            if (Rune.DecodeFromUtf16(token, out Rune rune, out int used) != System.Buffers.OperationStatus.Done || used != token.Length)
                throw new ModelFormatException($"{source}: vocabulary entry {id} must be exactly one Unicode code point, found {JsonSerializer.Serialize(token, RuntimeJsonContext.Default.String)}");
            if (id == UnknownId ? rune != UnknownRune : rune == UnknownRune)
                throw new ModelFormatException($"{source}: vocabulary entry {id}: U+FFFD is reserved for the unknown token, id {UnknownId}");
            if (!seen.Add(rune.Value))
                throw new ModelFormatException($"{source}: vocabulary entry {id} repeats U+{rune.Value:X4}");
            runes[id] = rune;
        }
        return new CharTokenizer(runes);
    }

    public string Kind => TokenizerKinds.Char;
    int ITokenizer.UnknownId => UnknownId;
    public string TokenText(int id) => GetRune(id).ToString();
    public string Continuation(int id) => TokenText(id);

    public TokenizerDescription ToDescription()
    {
        var tokens = new string[_runes.Length];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = _runes[i].ToString();
        return new TokenizerDescription { Kind = TokenizerKinds.Char, Vocabulary = tokens };
    }

    public string ToJson()
    {
        var tokens = new string[_runes.Length];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = _runes[i].ToString();
        return JsonSerializer.Serialize(tokens, RuntimeJsonContext.Default.StringArray);
    }

    public bool TryGetId(Rune rune, out int id) => _ids.TryGetValue(rune.Value, out id);

    public Rune GetRune(int id) => (uint)id < (uint)_runes.Length
        ? _runes[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id must be below {_runes.Length}");

    /// <summary>Maps each code point to its id; code points outside the vocabulary become <see cref="UnknownId"/>.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
            ids.Add(_ids.TryGetValue(rune.Value, out int id) ? id : UnknownId);
        return ids.ToArray();
    }

    /// <summary>Like <see cref="Encode"/>, but throws naming the first code point that is not in the vocabulary.</summary>
    public int[] EncodeStrict(string text, string what)
    {
        var ids = new List<int>(text.Length);
        int position = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (!_ids.TryGetValue(rune.Value, out int id))
                throw new ArgumentException($"{what} has a character the model does not know: '{rune}' (U+{rune.Value:X4}) at position {position}");
            ids.Add(id);
            position++;
        }
        return ids.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var builder = new StringBuilder(ids.Length);
        foreach (int id in ids) builder.Append(GetRune(id).ToString());
        return builder.ToString();
    }
}
