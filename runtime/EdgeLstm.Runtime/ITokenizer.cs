namespace EdgeLstm.Runtime;

/// <summary>Text ↔ token ids, as a model's description stores it: <see cref="CharTokenizer"/> or <see cref="WordTokenizer"/>.</summary>
public interface ITokenizer
{
    /// <summary>"char" or "word".</summary>
    string Kind { get; }
    int VocabularySize { get; }
    /// <summary>The id text outside the vocabulary maps to.</summary>
    int UnknownId { get; }
    /// <summary>Token ids of <paramref name="text"/>; unknown pieces become <see cref="UnknownId"/>.</summary>
    int[] Encode(string text);
    /// <summary>Like <see cref="Encode"/>, but throws naming the first piece the model does not know (<paramref name="what"/> names the input).</summary>
    int[] EncodeStrict(string text, string what);
    /// <summary>The text of one token (a word tokenizer's tokens are joined by <see cref="Decode"/> with spaces).</summary>
    string TokenText(int id);
    /// <summary>The text a token adds after earlier text: its text, with a space before it for a word tokenizer's words.</summary>
    string Continuation(int id);
    string Decode(ReadOnlySpan<int> ids);
    TokenizerDescription ToDescription();
}
