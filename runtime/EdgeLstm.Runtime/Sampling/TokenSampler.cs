namespace EdgeLstm.Runtime.Sampling;

/// <summary>
/// Chooses the next token from logits by <see cref="SamplingOptions"/>, with a seeded generator. Allocates only
/// when the vocabulary size changes, so a generation loop of Step + Sample allocates nothing per token.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private SplitMix64 _random;
    private int[] _order = [];
    private double[] _probabilities = [];
    // Created once: a lambda passed to Array.Sort on every call would allocate a closure per sampled token.
    private readonly Comparison<int> _mostLikelyFirst;

    public TokenSampler(SamplingOptions options)
    {
        options.Validate();
        _options = options;
        _random = new SplitMix64(options.Seed);
        _mostLikelyFirst = (a, b) => _probabilities[b] != _probabilities[a] ? _probabilities[b].CompareTo(_probabilities[a]) : a.CompareTo(b);
    }

    public int Sample(ReadOnlySpan<float> logits)
    {
        if (_options.Temperature == 0f) return ArgMax(logits);
        int kept = Candidates(logits, out int[] order, out double[] probabilities);
        double total = 0;
        for (int i = 0; i < kept; i++) total += probabilities[order[i]];
        double u = _random.NextDouble() * total;
        for (int i = 0; i < kept; i++)
        {
            u -= probabilities[order[i]];
            if (u < 0) return order[i];
        }
        return order[kept - 1];
    }

    /// <summary>
    /// The tokens sampling may choose, most likely first (ties by lower id): returns their count, with
    /// <paramref name="order"/> holding token ids and <paramref name="probabilities"/> (indexed by token id)
    /// the tempered soft-max of every token before any cut.
    /// </summary>
    public int Candidates(ReadOnlySpan<float> logits, out int[] order, out double[] probabilities)
    {
        int n = logits.Length;
        if (_order.Length != n)
        {
            _order = new int[n];
            _probabilities = new double[n];
        }
        order = _order;
        probabilities = _probabilities;
        double temperature = _options.Temperature == 0f ? 1.0 : _options.Temperature;
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++) max = Math.Max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            probabilities[i] = Math.Exp((logits[i] - max) / temperature);
            sum += probabilities[i];
        }
        for (int i = 0; i < n; i++)
        {
            probabilities[i] /= sum;
            order[i] = i;
        }
        double[] p = probabilities;
        order.AsSpan().Sort(_mostLikelyFirst);

        int kept = _options.TopK > 0 ? Math.Min(_options.TopK, n) : n;
        if (_options.TopP < 1f)
        {
            double keptMass = 0;
            for (int i = 0; i < kept; i++) keptMass += p[order[i]];
            double cumulative = 0;
            for (int i = 0; i < kept; i++)
            {
                cumulative += p[order[i]];
                if (cumulative >= _options.TopP * keptMass)
                {
                    kept = i + 1;
                    break;
                }
            }
        }
        return kept;
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
}
