using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Tests;

/// <summary>The CRF head's arithmetic (#33): the forward algorithm, path scores and gradients in the trainer, Viterbi in the runtime — each against brute force over every tag path.</summary>
public sealed class CrfTests
{
    /// <summary>Every tag path of <paramref name="length"/> steps over <paramref name="tags"/> tags.</summary>
    private static IEnumerable<int[]> AllPaths(int length, int tags)
    {
        var path = new int[length];
        for (long n = 0, count = (long)Math.Pow(tags, length); n < count; n++)
        {
            long rest = n;
            for (int t = 0; t < length; t++, rest /= tags) path[t] = (int)(rest % tags);
            yield return (int[])path.Clone();
        }
    }

    private static double Score(double[,,] e, int b, int[] path, double[,] transitions, double[] start, double[] end)
    {
        double s = start[path[0]] + end[path[^1]];
        for (int t = 0; t < path.Length; t++) s += e[b, t, path[t]] + (t > 0 ? transitions[path[t - 1], path[t]] : 0);
        return s;
    }

    private static double[] RandomArray(Random r, int n) => Enumerable.Range(0, n).Select(_ => r.NextDouble() * 4 - 2).ToArray();

    [Fact]
    public void TheForwardAlgorithmAndPathScoresMatchBruteForce()
    {
        var random = new Random(4);
        const int B = 3, T = 5, L = 3;
        int[] lengths = [5, 2, 1];
        double[] e = RandomArray(random, B * T * L), tr = RandomArray(random, L * L), st = RandomArray(random, L), en = RandomArray(random, L);
        var e3 = new double[B, T, L];
        var tr2 = new double[L, L];
        Buffer.BlockCopy(e, 0, e3, 0, e.Length * 8);
        Buffer.BlockCopy(tr, 0, tr2, 0, tr.Length * 8);
        var gold = new long[B * T];
        for (int i = 0; i < gold.Length; i++) gold[i] = random.Next(L);
        var mask = new bool[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < lengths[b]; t++) mask[b * T + t] = true;

        using var emissions = tensor(e, [B, T, L]);
        using var transitions = tensor(tr, [L, L]);
        using var start = tensor(st);
        using var end = tensor(en);
        using var tags = tensor(gold, [B, T]);
        using var m = tensor(mask, [B, T]);
        double[] logZ = CrfLoss.LogPartition(emissions, m, transitions, start, end).data<double>().ToArray();
        double[] score = CrfLoss.PathScore(emissions, tags, m, transitions, start, end).data<double>().ToArray();
        double[] nll = CrfLoss.NegativeLogLikelihood(emissions, tags, m, transitions, start, end).data<double>().ToArray();
        for (int b = 0; b < B; b++)
        {
            double sum = AllPaths(lengths[b], L).Sum(p => Math.Exp(Score(e3, b, p, tr2, st, en)));
            Assert.Equal(Math.Log(sum), logZ[b], 10);
            int[] goldPath = Enumerable.Range(0, lengths[b]).Select(t => (int)gold[b * T + t]).ToArray();
            Assert.Equal(Score(e3, b, goldPath, tr2, st, en), score[b], 10);
            Assert.Equal(Math.Log(sum) - score[b], nll[b], 10);
        }
    }

    [Fact]
    public void CrfGradientsMatchFiniteDifferences()
    {
        var random = new Random(6);
        const int B = 2, T = 4, L = 3;
        using var emissions = tensor(RandomArray(random, B * T * L), [B, T, L]).requires_grad_();
        using var transitions = tensor(RandomArray(random, L * L), [L, L]).requires_grad_();
        using var start = tensor(RandomArray(random, L)).requires_grad_();
        using var end = tensor(RandomArray(random, L)).requires_grad_();
        using var tags = tensor(new long[] { 0, 2, 1, 1, 2, 0, 0, 0 }, [B, T]);
        using var mask = tensor(new[] { true, true, true, true, true, true, false, false }, [B, T]);
        Tensor Loss() => CrfLoss.NegativeLogLikelihood(emissions, tags, mask, transitions, start, end).sum();
        Loss().backward();
        foreach (var p in new[] { emissions, transitions, start, end })
        {
            double[] analytic = p.grad!.data<double>().ToArray();
            using var flat = p.detach().view(-1);
            for (int i = 0; i < analytic.Length; i++)
            {
                double x = flat[i].item<double>(), h = 1e-6, plus, minus;
                using (no_grad())
                {
                    flat[i] = x + h;
                    plus = Loss().item<double>();
                    flat[i] = x - h;
                    minus = Loss().item<double>();
                    flat[i] = x;
                }
                Assert.Equal((plus - minus) / (2 * h), analytic[i], 6);
            }
        }
    }

    [Fact]
    public void ViterbiFindsTheBestPathOfBruteForce()
    {
        var random = new Random(8);
        for (int round = 0; round < 40; round++)
        {
            int steps = random.Next(1, 6), tags = random.Next(1, 5);
            float[] e = RandomArray(random, steps * tags).Select(x => (float)x).ToArray(), tr = RandomArray(random, tags * tags).Select(x => (float)x).ToArray();
            float[] st = RandomArray(random, tags).Select(x => (float)x).ToArray(), en = RandomArray(random, tags).Select(x => (float)x).ToArray();
            var (floats, ints) = ViterbiDecoder.ScratchSize(steps, tags);
            var path = new int[steps];
            float best = ViterbiDecoder.Decode(e, tr, st, en, tags, path, new float[floats], new int[ints]);

            var e3 = new double[1, steps, tags];
            var tr2 = new double[tags, tags];
            for (int i = 0; i < e.Length; i++) e3[0, i / tags, i % tags] = e[i];
            for (int i = 0; i < tr.Length; i++) tr2[i / tags, i % tags] = tr[i];
            double[] st64 = Array.ConvertAll(st, x => (double)x), en64 = Array.ConvertAll(en, x => (double)x);
            int[] bruteBest = AllPaths(steps, tags).MaxBy(p => Score(e3, 0, p, tr2, st64, en64))!.ToArray();
            Assert.Equal(bruteBest, path);
            Assert.Equal(Score(e3, 0, bruteBest, tr2, st64, en64), best, 4);
        }
    }
}
