namespace EdgeLstm.Converter;

/// <summary>
/// Which weights magnitude or block pruning keeps, per matrix (true = keep). Ties are broken by position,
/// so the same weights always give the same mask; a matrix that is already pruned gives back its own zeros.
/// </summary>
public static class PruningMasks
{
    public const int BlockWidth = 16;

    public static Dictionary<string, bool[]> Compute(FloatLstmModel model, PruneSpec spec)
    {
        var matrices = PrunableMatrices.Of(model);
        var masks = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        switch (spec.Method)
        {
            case PruneMethod.Magnitude when spec.Global:
                MagnitudeGlobal(matrices, spec.Fraction, masks);
                break;
            case PruneMethod.Magnitude:
                foreach (var m in matrices) masks[m.Name] = Magnitude(m.Values, spec.Fraction);
                break;
            case PruneMethod.Block:
                foreach (var m in matrices) masks[m.Name] = Blocks(m, spec.Fraction, spec.PerRow);
                break;
            default:
                throw new ArgumentException($"masks exist for magnitude and block pruning, not '{spec}'");
        }
        return masks;
    }

    /// <summary>A copy of the model with the masked-out weights set to zero.</summary>
    public static FloatLstmModel Apply(FloatLstmModel model, IReadOnlyDictionary<string, bool[]> masks) =>
        model.WithTensors((spec, values) => Masked(values, masks, spec.Name));

    private static float[] Masked(float[] values, IReadOnlyDictionary<string, bool[]> masks, string name)
    {
        var copy = (float[])values.Clone();
        if (masks.TryGetValue(name, out bool[]? keep))
            for (int i = 0; i < copy.Length; i++)
                if (!keep[i]) copy[i] = 0f;
        return copy;
    }

    private static bool[] Magnitude(float[] values, double fraction)
    {
        int drop = (int)(fraction * values.Length);
        var order = new int[values.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => Math.Abs(values[a]) != Math.Abs(values[b]) ? Math.Abs(values[a]).CompareTo(Math.Abs(values[b])) : a.CompareTo(b));
        var keep = new bool[values.Length];
        Array.Fill(keep, true);
        for (int i = 0; i < drop; i++) keep[order[i]] = false;
        return keep;
    }

    private static void MagnitudeGlobal(IReadOnlyList<PrunableMatrices.Matrix> matrices, double fraction, Dictionary<string, bool[]> masks)
    {
        var all = new List<(float Abs, int Matrix, int Index)>();
        for (int m = 0; m < matrices.Count; m++)
        {
            masks[matrices[m].Name] = Enumerable.Repeat(true, matrices[m].Values.Length).ToArray();
            for (int i = 0; i < matrices[m].Values.Length; i++) all.Add((Math.Abs(matrices[m].Values[i]), m, i));
        }
        all.Sort();
        int drop = (int)(fraction * all.Count);
        for (int i = 0; i < drop; i++) masks[matrices[all[i].Matrix].Name][all[i].Index] = false;
    }

    private static bool[] Blocks(PrunableMatrices.Matrix m, double fraction, bool perRow)
    {
        if (m.Columns % BlockWidth != 0)
            throw new ArgumentException($"block pruning needs column counts divisible by {BlockWidth}; '{m.Name}' has {m.Columns}");
        int perRowBlocks = m.Columns / BlockWidth;
        int blocks = m.Rows * perRowBlocks;
        var norms = new double[blocks];
        for (int b = 0; b < blocks; b++)
        {
            int start = BlockStart(m, b);
            double sum = 0;
            for (int j = 0; j < BlockWidth; j++) sum += (double)m.Values[start + j] * m.Values[start + j];
            norms[b] = sum;
        }
        var keep = new bool[m.Values.Length];
        Array.Fill(keep, true);
        // Per row, every row keeps the same number of blocks: the sparse kernels then run the same loop on
        // every row (no mispredicted loop exits) and can take four rows together.
        if (perRow)
            for (int r = 0; r < m.Rows; r++) DropSmallest(m, norms, r * perRowBlocks, perRowBlocks, (int)(fraction * perRowBlocks), keep);
        else
            DropSmallest(m, norms, 0, blocks, (int)(fraction * blocks), keep);
        return keep;
    }

    /// <summary>Clears <paramref name="keep"/> for the <paramref name="drop"/> blocks of smallest norm among blocks [first, first + count).</summary>
    private static void DropSmallest(PrunableMatrices.Matrix m, double[] norms, int first, int count, int drop, bool[] keep)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = first + i;
        Array.Sort(order, (a, b) => norms[a] != norms[b] ? norms[a].CompareTo(norms[b]) : a.CompareTo(b));
        for (int i = 0; i < drop; i++) Array.Fill(keep, false, BlockStart(m, order[i]), BlockWidth);
    }

    private static int BlockStart(PrunableMatrices.Matrix m, int block)
    {
        int perRow = m.Columns / BlockWidth;
        return (block / perRow) * m.Columns + (block % perRow) * BlockWidth;
    }
}
