using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Converter;

/// <summary>
/// The int4 weights the runtime multiplies (<see cref="Int4Panels"/>): w ≈ q · m · s with q in [−8, 7] per weight,
/// an integer m in [1, 63] per group of 32 columns (0 for an all-zero group) and a float s per row. Each group's
/// step is first chosen as a float (<see cref="GroupQuantizer"/>: max-abs by default — the searched step that lowers
/// the weights' squared error did not lower the models' loss, docs/benchmarks.md); the row's s is the largest step
/// / 63, and m the step / s rounded — then m − 1, m and m + 1 are tried and the least squared error kept (the larger
/// m on ties), with q re-rounded for it. Deterministic, and the one definition of int4 values: the converter writes
/// them, and the bench and fine-tuning fake-quantize with them.
/// </summary>
public static class Int4Quantizer
{
    public const int Group = Int4Panels.GroupColumns;

    /// <returns>Values [rows, columns] in [−8, 7], multipliers [rows, columns / 32] and one scale per row, row-major.</returns>
    public static (sbyte[] Values, byte[] Multipliers, float[] Scales) Quantize(ReadOnlySpan<float> matrix, int rows, int columns, bool search = false)
    {
        if (columns % Group != 0) throw new ArgumentException($"int4 needs a column count divisible by {Group}, got {columns}", nameof(columns));
        var (_, steps) = GroupQuantizer.Quantize(matrix, rows, columns, Group, search);
        int groups = columns / Group;
        var q = new sbyte[rows * columns];
        var m = new byte[rows * groups];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> rowSteps = steps.AsSpan(r * groups, groups);
            float largest = 0f;
            foreach (float step in rowSteps) largest = MathF.Max(largest, step);
            if (largest == 0f) continue; // an all-zero row: q = 0, m = 0, s = 0
            float s = largest / Int4Panels.MaxMultiplier;
            scales[r] = s;
            for (int g = 0; g < groups; g++)
            {
                if (rowSteps[g] == 0f) continue; // an all-zero group
                ReadOnlySpan<float> w = matrix.Slice(r * columns + g * Group, Group);
                int first = Math.Clamp((int)MathF.Round(rowSteps[g] / s, MidpointRounding.ToEven), 1, Int4Panels.MaxMultiplier);
                int best = first;
                float bestError = SquaredError(w, s * first);
                for (int candidate = Math.Max(1, first - 1); candidate <= Math.Min(Int4Panels.MaxMultiplier, first + 1); candidate++)
                {
                    float error = SquaredError(w, s * candidate);
                    if (error < bestError || (error == bestError && candidate > best)) (best, bestError) = (candidate, error);
                }
                m[r * groups + g] = (byte)best;
                for (int j = 0; j < Group; j++) q[r * columns + g * Group + j] = GroupQuantizer.Level(w[j], s * best);
            }
        }
        return (q, m, scales);
    }

    /// <summary>The weights the runtime multiplies by: (q · m) · s, as it scales its exact integer sums.</summary>
    public static float[] Dequantize(ReadOnlySpan<sbyte> values, ReadOnlySpan<byte> multipliers, ReadOnlySpan<float> scales, int rows, int columns)
    {
        var w = new float[rows * columns];
        int groups = columns / Group;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
                w[r * columns + j] = values[r * columns + j] * multipliers[r * groups + j / Group] * scales[r];
        return w;
    }

    private static float SquaredError(ReadOnlySpan<float> w, float step)
    {
        float sum = 0f;
        foreach (float v in w)
        {
            float e = v - GroupQuantizer.Level(v, step) * step;
            sum += e * e;
        }
        return sum;
    }
}
