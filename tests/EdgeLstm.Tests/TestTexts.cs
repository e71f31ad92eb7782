namespace EdgeLstm.Tests;

/// <summary>Small deterministic English-like texts for tests that train tiny models.</summary>
internal static class TestTexts
{
    private static readonly string[] Words =
        ["the", "whale", "sea", "ship", "captain", "and", "of", "a", "to", "in", "white", "boat", "harpoon", "deck", "was", "he", "it", "his", "on", "with"];

    public static string English(int length, int seed)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder(length + 16);
        while (text.Length < length)
        {
            text.Append(Words[random.Next(Words.Length)]);
            text.Append(random.Next(12) == 0 ? ". " : " ");
        }
        return text.ToString(0, length);
    }
}
