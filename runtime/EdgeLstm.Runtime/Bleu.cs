namespace EdgeLstm.Runtime;

/// <summary>
/// Sentence BLEU averaged over hypotheses, as SeqGAN and Texygen report generated text (Papineni et al. 2002): each
/// hypothesis's n-grams (1..N) counted at most as often as in the reference that has the most of them (clipping),
/// a brevity penalty from the reference length closest to the hypothesis's (ties: the shorter), uniform weights, and
/// Chen &amp; Cherry's smoothing method 1 (an order with no match counts 0.1 matches; no unigram match scores 0) —
/// NLTK's <c>sentence_bleu</c> with <c>SmoothingFunction().method1</c>. Tokens are ints (characters' code points, word ids).
/// The references' largest counts are gathered once, so scoring 1,000 hypotheses against 3,000 references is one pass each.
/// </summary>
public sealed class Bleu
{
    private const double Epsilon = 0.1;

    /// <summary>Per n-gram: the largest count in any reference, how many references have that count, and the next largest.</summary>
    private readonly Dictionary<NGram, (int Max, int Holders, int Second)> _counts = new();
    private readonly SortedDictionary<int, int> _lengths = new();

    public Bleu(IReadOnlyList<int[]> references, int maxOrder)
    {
        if (maxOrder is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(maxOrder), maxOrder, "BLEU orders are 1..4");
        if (references.Count == 0) throw new ArgumentException("BLEU needs at least one reference", nameof(references));
        MaxOrder = maxOrder;
        foreach (int[] reference in references)
        {
            _lengths[reference.Length] = _lengths.GetValueOrDefault(reference.Length) + 1;
            foreach (var (gram, count) in Count(reference, maxOrder))
            {
                var (max, holders, second) = _counts.GetValueOrDefault(gram);
                _counts[gram] = count > max ? (count, 1, max) : count == max ? (max, holders + 1, second) : (max, holders, Math.Max(second, count));
            }
        }
    }

    public int MaxOrder { get; }

    /// <summary>
    /// BLEU-N of one hypothesis. <paramref name="isReference"/>: the hypothesis is itself one of the references (Self-BLEU),
    /// so that copy is left out of the clipping counts and of the lengths.
    /// </summary>
    public double Score(int[] hypothesis, bool isReference = false)
    {
        Dictionary<NGram, int> counts = Count(hypothesis, MaxOrder);
        Span<int> matches = stackalloc int[MaxOrder];
        matches.Clear();
        foreach (var (gram, count) in counts)
        {
            if (!_counts.TryGetValue(gram, out var reference)) continue;
            int max = isReference && count == reference.Max && reference.Holders == 1 ? reference.Second : reference.Max;
            matches[gram.Order - 1] += Math.Min(count, max);
        }
        if (matches[0] == 0) return 0;
        double logSum = 0;
        for (int n = 1; n <= MaxOrder; n++)
        {
            int total = Math.Max(1, hypothesis.Length - n + 1);
            logSum += Math.Log((matches[n - 1] == 0 ? Epsilon : matches[n - 1]) / (double)total);
        }
        int closest = ClosestLength(hypothesis.Length, isReference);
        double brevity = hypothesis.Length > closest ? 1 : Math.Exp(1 - closest / (double)hypothesis.Length);
        return brevity * Math.Exp(logSum / MaxOrder);
    }

    /// <summary>Mean BLEU-N of the hypotheses against the references (SeqGAN's BLEU of generated poems against test poems).</summary>
    public static double Mean(IReadOnlyList<int[]> hypotheses, IReadOnlyList<int[]> references, int maxOrder)
    {
        var bleu = new Bleu(references, maxOrder);
        double sum = 0;
        foreach (int[] hypothesis in hypotheses) sum += bleu.Score(hypothesis);
        return sum / hypotheses.Count;
    }

    /// <summary>Self-BLEU-N (Zhu et al. 2018, Texygen): each hypothesis against all the others; higher means less diverse.</summary>
    public static double Self(IReadOnlyList<int[]> hypotheses, int maxOrder)
    {
        if (hypotheses.Count < 2) throw new ArgumentException("Self-BLEU needs at least two texts", nameof(hypotheses));
        var bleu = new Bleu(hypotheses, maxOrder);
        double sum = 0;
        foreach (int[] hypothesis in hypotheses) sum += bleu.Score(hypothesis, isReference: true);
        return sum / hypotheses.Count;
    }

    private int ClosestLength(int length, bool isReference)
    {
        int best = -1;
        foreach (var (candidate, references) in _lengths)
        {
            if (isReference && candidate == length && references == 1) continue; // only the hypothesis itself has it
            if (best < 0 || Math.Abs(candidate - length) < Math.Abs(best - length)) best = candidate; // ascending: ties keep the shorter
        }
        return best;
    }

    private static Dictionary<NGram, int> Count(int[] tokens, int maxOrder)
    {
        var counts = new Dictionary<NGram, int>();
        for (int n = 1; n <= maxOrder; n++)
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                var gram = new NGram((byte)n, tokens[i], n > 1 ? tokens[i + 1] : 0, n > 2 ? tokens[i + 2] : 0, n > 3 ? tokens[i + 3] : 0);
                counts[gram] = counts.GetValueOrDefault(gram) + 1;
            }
        return counts;
    }

    private readonly record struct NGram(byte Order, int A, int B, int C, int D);
}
