namespace EdgeLstm.Converter;

/// <summary>
/// Symmetric 4-bit weights in groups (issue #31): each row cut into groups of G consecutive columns, one scale per
/// group, q = clamp(round-half-even(w / scale), −8, 7), w ≈ q · scale. The scale is searched per group, not fixed at
/// max|w| / 7: with 16 levels a single large weight otherwise coarsens every other weight of its group, so a smaller
/// scale that clips it can lower the group's squared error. Candidates: the largest-magnitude weight mapped onto
/// −8 or 7 (whichever its sign reaches), then that scale times 1 − k/40 for k = 1 … 12 (down to 0.7); the least
/// squared error wins, the larger scale on ties. Deterministic: the same floats give the same values on every run.
/// </summary>
public static class GroupQuantizer
{
    public const int MinQ = -8, MaxQ = 7;
    private const int Shrinks = 12;

    /// <returns>Values [rows, columns] in [−8, 7]; scales [rows, columns / group], row-major (0 for an all-zero group).</returns>
    public static (sbyte[] Values, float[] Scales) Quantize(ReadOnlySpan<float> matrix, int rows, int columns, int group, bool search = true)
    {
        if (group < 1 || columns % group != 0) throw new ArgumentException($"group {group} must divide the {columns} columns", nameof(group));
        if (matrix.Length != (long)rows * columns) throw new ArgumentException($"a [{rows}, {columns}] matrix has {(long)rows * columns} values, not {matrix.Length}", nameof(matrix));
        int groups = columns / group;
        var q = new sbyte[rows * columns];
        var scales = new float[rows * groups];
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < groups; g++)
            {
                int start = r * columns + g * group;
                ReadOnlySpan<float> w = matrix.Slice(start, group);
                float extreme = 0f;
                foreach (float v in w)
                    if (MathF.Abs(v) > MathF.Abs(extreme)) extreme = v;
                if (extreme == 0f) continue;
                float baseScale = extreme < 0 ? -extreme / -MinQ : extreme / MaxQ;
                float best = baseScale, bestError = SquaredError(w, baseScale);
                for (int k = 1; search && k <= Shrinks; k++)
                {
                    float scale = baseScale * (1f - k / 40f);
                    float error = SquaredError(w, scale);
                    if (error < bestError) (best, bestError) = (scale, error);
                }
                scales[r * groups + g] = best;
                for (int j = 0; j < group; j++) q[start + j] = Level(w[j], best);
            }
        return (q, scales);
    }

    /// <summary>The weights the values and scales stand for: q · scale.</summary>
    public static float[] Dequantize(ReadOnlySpan<sbyte> values, ReadOnlySpan<float> scales, int rows, int columns, int group)
    {
        var w = new float[rows * columns];
        int groups = columns / group;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
                w[r * columns + j] = values[r * columns + j] * scales[r * groups + j / group];
        return w;
    }

    internal static sbyte Level(float w, float scale) => (sbyte)Math.Clamp(MathF.Round(w / scale, MidpointRounding.ToEven), MinQ, MaxQ);

    private static float SquaredError(ReadOnlySpan<float> w, float scale)
    {
        float sum = 0f;
        foreach (float v in w)
        {
            float e = v - Level(v, scale) * scale;
            sum += e * e;
        }
        return sum;
    }
}
