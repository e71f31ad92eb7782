namespace EdgeLstm.Tests;

public sealed class CharTokenizerTests
{
    private const string Mixed = "Call me Ishmael — “naïve” café, 鯨 and 🐋 (U+1F40B, a surrogate pair).";

    [Fact]
    public void RoundTripsNonAsciiAndAstralCharacters()
    {
        var tokenizer = CharTokenizer.FromText(Mixed);
        int[] ids = tokenizer.Encode(Mixed);
        Assert.Equal(Mixed, tokenizer.Decode(ids));
        // One token per code point: the whale emoji is one token, not two UTF-16 halves.
        Assert.Equal(Mixed.EnumerateRunes().Count(), ids.Length);
        Assert.DoesNotContain(CharTokenizer.UnknownId, ids);
    }

    [Fact]
    public void VocabularySurvivesTheMetadataJson()
    {
        var tokenizer = CharTokenizer.FromText(Mixed);
        var copy = CharTokenizer.FromJson(tokenizer.ToJson(), "test");
        Assert.Equal(tokenizer.VocabularySize, copy.VocabularySize);
        Assert.Equal(tokenizer.Encode(Mixed), copy.Encode(Mixed));
    }

    [Fact]
    public void UnknownCharactersMapToIdZeroAndDecodeAsReplacementCharacter()
    {
        var tokenizer = CharTokenizer.FromText("abc");
        Assert.Equal([1, CharTokenizer.UnknownId, 3], tokenizer.Encode("a🐋c"));
        Assert.Equal("a\uFFFDc", tokenizer.Decode(tokenizer.Encode("a🐋c")));
        var error = Assert.Throws<ArgumentException>(() => tokenizer.EncodeStrict("ab🐋", "--prompt"));
        Assert.Contains("U+1F40B", error.Message);
        Assert.Contains("position 2", error.Message);
    }

    [Theory]
    [InlineData("[\"a\",\"b\"]", "entry 0")]                 // id 0 must be U+FFFD
    [InlineData("[\"\uFFFD\",\"ab\"]", "exactly one")]       // two code points in one entry
    [InlineData("[\"\uFFFD\",\"a\",\"a\"]", "repeats")]
    [InlineData("{\"a\":1}", "JSON array")]
    public void RejectsBadVocabularyMetadata(string json, string expected)
    {
        var error = Assert.Throws<ModelFormatException>(() => CharTokenizer.FromJson(json, "m.safetensors"));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("m.safetensors: ", error.Message);
    }
}
