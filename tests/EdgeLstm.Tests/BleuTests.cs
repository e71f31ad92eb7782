namespace EdgeLstm.Tests;

/// <summary>
/// BLEU and Self-BLEU (the GAN issue's quality and diversity measures) against cases computed by hand and against
/// NLTK 3.8's sentence_bleu (method 1 smoothing) on random texts (tests/bleu/make_fixture.py wrote nltk-cases.json).
/// </summary>
public sealed class BleuTests
{
    private static int[] T(string text) => text.Split(' ').Select(w => (int)w[0]).ToArray();

    [Fact]
    public void RepeatedWordsAreClippedToTheReferenceCount()
    {
        // "the the the the" against "the cat": one "the" counts (clipped), so 1/4; unclipped it would be 4/4.
        Assert.Equal(0.25, Bleu.Mean([T("t t t t")], [T("t c")], 1), 12);
        // Several references: the largest count of any one reference clips ("t t d" has two).
        Assert.Equal(1.0, Bleu.Mean([T("t t")], [T("t c"), T("t t d")], 1), 12);
    }

    [Fact]
    public void OrdersBrevityAndSmoothingAsComputedByHand()
    {
        // a b c d | a b x d: unigrams 3/4, bigrams 1/3 (ab); same length: BLEU-2 = √(3/4 · 1/3) = 0.5.
        Assert.Equal(0.5, Bleu.Mean([T("a b c d")], [T("a b x d")], 2), 12);
        // a b | b a: unigrams 2/2, no bigram match: smoothed to 0.1/1, so √0.1.
        Assert.Equal(Math.Sqrt(0.1), Bleu.Mean([T("a b")], [T("b a")], 2), 12);
        // a b | a b c d: every n-gram matches, but 2 tokens against 4: exp(1 − 4/2).
        Assert.Equal(Math.Exp(-1), Bleu.Mean([T("a b")], [T("a b c d")], 2), 12);
        // Closest reference length, ties to the shorter: 3 tokens against lengths 2 and 4 → r = 2, no penalty.
        Assert.Equal(1.0, Bleu.Mean([T("a b c")], [T("a b c d"), T("a b")], 1), 12);
        // No unigram in common: 0, whatever the smoothing.
        Assert.Equal(0.0, Bleu.Mean([T("x y")], [T("a b")], 4));
        // The mean over hypotheses: (1 + 0) / 2.
        Assert.Equal(0.5, Bleu.Mean([T("a b"), T("x y")], [T("a b")], 1), 12);
    }

    [Fact]
    public void SelfBleuLeavesEachTextOutOfItsOwnReferences()
    {
        // Two unrelated texts: each against the other scores 0; with itself among its references it would be 1.
        Assert.Equal(0.0, Bleu.Self([T("a b"), T("c d")], 2));
        // Three texts, two of them equal: those two score 1 against each other, the third 0.
        Assert.Equal(2.0 / 3, Bleu.Self([T("a b"), T("a b"), T("c d")], 2), 12);
        // "a a" is the only text with two a's: left out, the others' one a clips it to 1/2.
        Assert.Equal(0.5, new Bleu([T("a a"), T("a b")], 1).Score(T("a a"), isReference: true), 12);
    }
    [Fact]
    public void EqualsNltkOnRandomTexts()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ClassifierTests.RepoRoot(), "tests", "bleu", "nltk-cases.json")));
        int[][] Texts(string name) => doc.RootElement.GetProperty(name).EnumerateArray().Select(t => t.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        int[][] references = Texts("references"), hypotheses = Texts("hypotheses");
        double worst = 0;
        for (int n = 1; n <= 4; n++)
        {
            var bleu = new Bleu(references, n);
            var self = new Bleu(hypotheses, n);
            double[] expected = doc.RootElement.GetProperty("bleu").GetProperty($"{n}").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            double[] expectedSelf = doc.RootElement.GetProperty("self_bleu").GetProperty($"{n}").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            for (int i = 0; i < hypotheses.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(bleu.Score(hypotheses[i]) - expected[i]));
                worst = Math.Max(worst, Math.Abs(self.Score(hypotheses[i], isReference: true) - expectedSelf[i]));
            }
            Assert.Equal(expectedSelf.Average(), Bleu.Self(hypotheses, n), 9);
        }
        Assert.True(worst <= 1e-12, $"max |ours − NLTK| = {worst:E2}");
    }
}
