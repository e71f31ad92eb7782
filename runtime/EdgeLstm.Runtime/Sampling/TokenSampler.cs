namespace EdgeLstm.Runtime.Sampling;

/// <summary>
/// Chooses the next token from logits by <see cref="SamplingOptions"/>, with a seeded generator. Candidates are
/// taken most likely first (ties by lower id) from a binary heap built in O(V) and popped only as far as needed:
/// the k of top-k, the prefix top-p keeps, or, with neither, the tokens until the sampled mass is reached (a few
/// for a peaked distribution). So a 10,000-word vocabulary is not sorted per token. Allocates only when the
/// vocabulary size changes, so a generation loop of Step + Sample allocates nothing per token.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private SplitMix64 _random;
    private int[] _order = [];
    private int[] _heap = [];
    private int _heapSize, _popped;
    private double[] _probabilities = [];

    public TokenSampler(SamplingOptions options)
    {
        options.Validate();
        _options = options;
        _random = new SplitMix64(options.Seed);
    }

    public int Sample(ReadOnlySpan<float> logits)
    {
        if (_options.Temperature == 0f) return ArgMax(logits);
        double[] p = Prepare(logits);
        int n = logits.Length;
        if (_options.TopK == 0 && _options.TopP >= 1f)
        {
            // No cut: walk the tokens most likely first and stop where the sampled mass is reached.
            double all = 0;
            for (int i = 0; i < n; i++) all += p[i];
            double r = _random.NextDouble() * all;
            for (int i = 0; i < n; i++)
            {
                int token = Next();
                r -= p[token];
                if (r < 0) return token;
            }
            return _order[n - 1];
        }
        int kept = Cut(p, n);
        double total = 0;
        for (int i = 0; i < kept; i++) total += p[_order[i]];
        double u = _random.NextDouble() * total;
        for (int i = 0; i < kept; i++)
        {
            u -= p[_order[i]];
            if (u < 0) return _order[i];
        }
        return _order[kept - 1];
    }

    /// <summary>
    /// The tokens sampling may choose, most likely first (ties by lower id): returns their count, with
    /// <paramref name="order"/> holding token ids and <paramref name="probabilities"/> (indexed by token id)
    /// the tempered soft-max of every token before any cut.
    /// </summary>
    public int Candidates(ReadOnlySpan<float> logits, out int[] order, out double[] probabilities)
    {
        probabilities = Prepare(logits);
        order = _order;
        int n = logits.Length;
        if (_options.TopK == 0 && _options.TopP >= 1f)
        {
            while (_popped < n) Next();
            return n;
        }
        return Cut(probabilities, n);
    }

    /// <summary>Top-k, then top-p of the mass top-k leaves: the candidates are _order[0, returned count).</summary>
    private int Cut(double[] p, int n)
    {
        int kept = _options.TopK > 0 ? Math.Min(_options.TopK, n) : n;
        if (_options.TopP >= 1f)
        {
            while (_popped < kept) Next();
            return kept;
        }
        double keptMass = 0;
        if (kept == n)
            for (int i = 0; i < n; i++) keptMass += p[i];
        else
        {
            while (_popped < kept) Next();
            for (int i = 0; i < kept; i++) keptMass += p[_order[i]];
        }
        double cumulative = 0;
        for (int i = 0; i < kept; i++)
        {
            cumulative += p[i < _popped ? _order[i] : Next()];
            if (cumulative >= _options.TopP * keptMass) return i + 1;
        }
        return kept;
    }

    /// <summary>The tempered soft-max into _probabilities, and a heap of every token id, most likely on top.</summary>
    private double[] Prepare(ReadOnlySpan<float> logits)
    {
        int n = logits.Length;
        if (_order.Length != n)
        {
            _order = new int[n];
            _heap = new int[n];
            _probabilities = new double[n];
        }
        double[] p = _probabilities;
        double temperature = _options.Temperature == 0f ? 1.0 : _options.Temperature;
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++) max = Math.Max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            p[i] = Math.Exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < n; i++)
        {
            p[i] /= sum;
            _heap[i] = i;
        }
        _heapSize = n;
        _popped = 0;
        for (int i = n / 2 - 1; i >= 0; i--) SiftDown(i);
        return p;
    }

    /// <summary>Pops the most likely remaining token into _order[_popped].</summary>
    private int Next()
    {
        int top = _heap[0];
        _heap[0] = _heap[--_heapSize];
        if (_heapSize > 0) SiftDown(0);
        _order[_popped++] = top;
        return top;
    }

    private bool Before(int a, int b) => _probabilities[a] > _probabilities[b] || (_probabilities[a] == _probabilities[b] && a < b);

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = 2 * i + 1, best = i;
            if (left < _heapSize && Before(_heap[left], _heap[best])) best = left;
            if (left + 1 < _heapSize && Before(_heap[left + 1], _heap[best])) best = left + 1;
            if (best == i) return;
            (_heap[i], _heap[best]) = (_heap[best], _heap[i]);
            i = best;
        }
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
}
