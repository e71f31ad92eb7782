namespace EdgeLstm.Runtime.Inspection;

/// <summary>
/// Records what a float session's layers do over a sequence (as its <see cref="ILstmStepObserver"/>): h and c of
/// every unit at every step, stored unit-major ([unit][step]: one unit's series is contiguous), and how often each
/// unit's input, forget and output gates are saturated — below 0.1 or above 0.9, as Karpathy, Johnson and Fei-Fei
/// (2015) plot them. Sized for a fixed number of steps; allocates only when made.
/// </summary>
public sealed class StateTrace : ILstmStepObserver
{
    public const float LowSaturation = 0.1f, HighSaturation = 0.9f;

    private readonly int[] _low, _high; // [layer][gate i/f/o][unit], flattened per layer below
    private readonly int[] _offsets;

    public StateTrace(IReadOnlyList<int> hiddenSizes, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least one step");
        Steps = steps;
        HiddenSizes = hiddenSizes.ToArray();
        H = HiddenSizes.Select(n => new float[n * steps]).ToArray();
        C = HiddenSizes.Select(n => new float[n * steps]).ToArray();
        _offsets = new int[HiddenSizes.Length + 1];
        for (int k = 0; k < HiddenSizes.Length; k++) _offsets[k + 1] = _offsets[k] + 3 * HiddenSizes[k];
        _low = new int[_offsets[^1]];
        _high = new int[_offsets[^1]];
    }

    public int Steps { get; }
    public int[] HiddenSizes { get; }
    /// <summary>Hidden state per layer, [unit × Steps + step].</summary>
    public float[][] H { get; }
    /// <summary>Cell state per layer, [unit × Steps + step].</summary>
    public float[][] C { get; }
    /// <summary>Steps recorded so far.</summary>
    public int Recorded { get; private set; }

    /// <summary>Gates whose saturation is counted, in the order <see cref="LowFraction"/> takes them.</summary>
    public static readonly string[] Gates = ["input", "forget", "output"];

    /// <summary>Fraction of the recorded steps layer <paramref name="layer"/>'s unit had gate <paramref name="gate"/> (0 input, 1 forget, 2 output) below 0.1.</summary>
    public double LowFraction(int layer, int gate, int unit) => (double)_low[_offsets[layer] + gate * HiddenSizes[layer] + unit] / Math.Max(1, Recorded);

    /// <summary>Likewise, above 0.9.</summary>
    public double HighFraction(int layer, int gate, int unit) => (double)_high[_offsets[layer] + gate * HiddenSizes[layer] + unit] / Math.Max(1, Recorded);

    public void OnLayerStep(int layer, ReadOnlySpan<float> gates, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        int hidden = HiddenSizes[layer], t = Recorded;
        if (t >= Steps) throw new InvalidOperationException($"the trace holds {Steps} steps");
        float[] hs = H[layer], cs = C[layer];
        for (int u = 0; u < hidden; u++)
        {
            hs[u * Steps + t] = h[u];
            cs[u * Steps + t] = c[u];
        }
        // i, f and o are gates 0, 1 and 3 of the four (g, the candidate, is a tanh and not a gate).
        ReadOnlySpan<int> which = [0, 1, 3];
        for (int k = 0; k < 3; k++)
        {
            ReadOnlySpan<float> gate = gates.Slice(which[k] * hidden, hidden);
            int at = _offsets[layer] + k * hidden;
            for (int u = 0; u < hidden; u++)
            {
                if (gate[u] < LowSaturation) _low[at + u]++;
                else if (gate[u] > HighSaturation) _high[at + u]++;
            }
        }
        if (layer == HiddenSizes.Length - 1) Recorded++;
    }
}
