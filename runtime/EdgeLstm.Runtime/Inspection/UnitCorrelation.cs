namespace EdgeLstm.Runtime.Inspection;

/// <summary>One unit's state and how strongly it follows a feature.</summary>
public sealed record UnitScore(int Layer, int Unit, string State, double Correlation);

/// <summary>
/// Finds the units whose activation follows a feature of the text (1 on the tokens a pattern covers, 0 elsewhere):
/// the Pearson correlation of each unit's h or c series with it, over the recorded steps.
/// </summary>
public static class UnitCorrelation
{
    /// <summary>Every unit's h and c, ranked by |correlation|, best first; a constant feature or series scores 0.</summary>
    public static List<UnitScore> Rank(StateTrace trace, ReadOnlySpan<float> feature)
    {
        int steps = trace.Recorded;
        if (feature.Length < steps) throw new ArgumentException($"the feature has {feature.Length} values; the trace recorded {steps} steps", nameof(feature));
        var scores = new List<UnitScore>();
        for (int layer = 0; layer < trace.HiddenSizes.Length; layer++)
            for (int unit = 0; unit < trace.HiddenSizes[layer]; unit++)
            {
                scores.Add(new(layer, unit, "c", Pearson(trace.C[layer].AsSpan(unit * trace.Steps, steps), feature[..steps])));
                scores.Add(new(layer, unit, "h", Pearson(trace.H[layer].AsSpan(unit * trace.Steps, steps), feature[..steps])));
            }
        scores.Sort((a, b) => Math.Abs(b.Correlation).CompareTo(Math.Abs(a.Correlation)));
        return scores;
    }

    public static double Pearson(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.Length;
        my /= y.Length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }
}
