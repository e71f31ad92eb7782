using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Tests;

public sealed class TokenSamplerTests
{
    // Probabilities 0.05, 0.5, 0.15, 0.3 for tokens 0..3 at temperature 1.
    private static readonly float[] Logits = [MathF.Log(0.05f), MathF.Log(0.5f), MathF.Log(0.15f), MathF.Log(0.3f)];

    [Fact]
    public void GreedyPicksTheArgMax() =>
        Assert.Equal(1, new TokenSampler(SamplingOptions.Greedy).Sample(Logits));

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(2, new[] { 1, 3 })]
    [InlineData(3, new[] { 1, 3, 2 })]
    [InlineData(0, new[] { 1, 3, 2, 0 })]
    public void TopKKeepsExactlyTheKMostLikely(int k, int[] expected)
    {
        int kept = new TokenSampler(new SamplingOptions(1f, TopK: k)).Candidates(Logits, out int[] order, out _);
        Assert.Equal(expected, order[..kept]);
    }

    [Theory]
    [InlineData(0.40f, new[] { 1 })]           // 0.5 alone reaches 0.40
    [InlineData(0.75f, new[] { 1, 3 })]        // 0.5 + 0.3 = 0.8
    [InlineData(0.85f, new[] { 1, 3, 2 })]     // 0.95
    [InlineData(0.99f, new[] { 1, 3, 2, 0 })]
    public void TopPKeepsTheSmallestPrefixReachingP(float p, int[] expected)
    {
        int kept = new TokenSampler(new SamplingOptions(1f, TopP: p)).Candidates(Logits, out int[] order, out _);
        Assert.Equal(expected, order[..kept]);
    }

    [Fact]
    public void TopPAppliesToTheMassLeftByTopK()
    {
        // Top-2 leaves 0.5 and 0.3 (renormalised 0.625 and 0.375); p = 0.6 then keeps only token 1.
        int kept = new TokenSampler(new SamplingOptions(1f, TopK: 2, TopP: 0.6f)).Candidates(Logits, out int[] order, out _);
        Assert.Equal([1], order[..kept]);
    }

    [Fact]
    public void SamplesOnlyKeptCandidatesInProportion()
    {
        var sampler = new TokenSampler(new SamplingOptions(1f, TopK: 2, Seed: 5));
        var counts = new int[4];
        for (int i = 0; i < 20_000; i++) counts[sampler.Sample(Logits)]++;
        Assert.Equal(0, counts[0]);
        Assert.Equal(0, counts[2]);
        Assert.InRange(counts[1] / 20_000.0, 0.60, 0.65); // 0.5 / 0.8 = 0.625
    }

    [Fact]
    public void TheSameSeedGivesTheSameDrawsAndAnotherSeedDoesNot()
    {
        int[] Draw(ulong seed)
        {
            var sampler = new TokenSampler(new SamplingOptions(1.3f, Seed: seed));
            return Enumerable.Range(0, 200).Select(_ => sampler.Sample(Logits)).ToArray();
        }
        Assert.Equal(Draw(11), Draw(11));
        Assert.NotEqual(Draw(11), Draw(12));
    }

    [Theory]
    [InlineData(-1f, 0, 1f, "--temperature")]
    [InlineData(float.NaN, 0, 1f, "--temperature")]
    [InlineData(1f, -3, 1f, "--top-k")]
    [InlineData(1f, 0, 0f, "--top-p")]
    [InlineData(1f, 0, 1.5f, "--top-p")]
    public void RejectsOutOfRangeOptionsNamingTheOption(float temperature, int topK, float topP, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => new TokenSampler(new SamplingOptions(temperature, topK, topP)));
        Assert.StartsWith(option, error.Message);
    }

    [Fact]
    public void SamplingAllocatesNothingPerToken()
    {
        var sampler = new TokenSampler(new SamplingOptions(0.8f, TopK: 40, TopP: 0.9f, Seed: 5));
        var random = new Random(1);
        float[] logits = Enumerable.Range(0, 90).Select(_ => (float)random.NextDouble() * 8).ToArray();
        for (int i = 0; i < 20; i++) sampler.Sample(logits); // first call sizes the buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) sampler.Sample(logits);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>The sampler's definition, written the slow way: soft-max, sort every token, cut, draw.</summary>
    private static int[] SortingOracle(float[] logits, SamplingOptions options, int draws)
    {
        var random = new SplitMix64(options.Seed);
        int n = logits.Length;
        double max = logits.Max(), sum = 0;
        var p = new double[n];
        for (int i = 0; i < n; i++) sum += p[i] = Math.Exp((logits[i] - max) / options.Temperature);
        for (int i = 0; i < n; i++) p[i] /= sum;
        int[] order = Enumerable.Range(0, n).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        int kept = options.TopK > 0 ? Math.Min(options.TopK, n) : n;
        if (options.TopP < 1f)
        {
            double mass = order.Take(kept).Sum(i => p[i]), cumulative = 0;
            for (int i = 0; i < kept; i++)
                if ((cumulative += p[order[i]]) >= options.TopP * mass) { kept = i + 1; break; }
        }
        var result = new int[draws];
        for (int d = 0; d < draws; d++)
        {
            double total = 0;
            for (int i = 0; i < kept; i++) total += p[order[i]];
            double u = random.NextDouble() * total;
            result[d] = order[kept - 1];
            for (int i = 0; i < kept; i++)
                if ((u -= p[order[i]]) < 0) { result[d] = order[i]; break; }
        }
        return result;
    }

    [Theory]
    [InlineData(0.8f, 0, 1f)]
    [InlineData(1.0f, 40, 1f)]
    [InlineData(0.7f, 0, 0.9f)]
    [InlineData(1.2f, 50, 0.95f)]
    public void DrawsOnA10000WordVocabularyEqualTheFullSortDefinition(float temperature, int topK, float topP)
    {
        var random = new Random(3);
        // Zipf-like logits with ties, as a word model's are.
        float[] logits = Enumerable.Range(0, 10_000).Select(i => (float)Math.Round(-Math.Log(1 + i) + random.NextDouble(), 1)).ToArray();
        var options = new SamplingOptions(temperature, topK, topP, Seed: 9);
        var sampler = new TokenSampler(options);
        int[] draws = Enumerable.Range(0, 300).Select(_ => sampler.Sample(logits)).ToArray();
        Assert.Equal(SortingOracle(logits, options, 300), draws);
        Assert.True(draws.Distinct().Count() > 10, "the draws barely vary: the test would not notice a wrong order");
    }
}
