using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The pointwise part of a float LSTM step, after <see cref="FloatRecurrence"/> has summed the four gates'
/// pre-activations: <see cref="LstmCell"/>, the int8 path's fused cell (five exponentials and two divisions a unit,
/// one pass), at the widest vector. Its operations give the same bits at every width and on every CPU, so float
/// sessions, batches and runners agree bit for bit. Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class FloatCellUpdate
{
    /// <summary>From the 4H pre-activations in gate order i, f, g, o (left as they are), c and h in place.</summary>
    public static void Apply(ReadOnlySpan<float> preActivations, Span<float> h, Span<float> c)
    {
        int hidden = h.Length, j = 0;
        if (preActivations.Length != 4 * hidden || c.Length != hidden) throw new ArgumentException("cell update needs 4·H pre-activations and H cells");
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= hidden; j += 16) Units<FloatLanes512, Vector512<float>>(preActivations, h, c, j);
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= hidden; j += 8) Units<FloatLanes256, Vector256<float>>(preActivations, h, c, j);
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= hidden; j += 4) Units<FloatLanes128, Vector128<float>>(preActivations, h, c, j);
        for (; j < hidden; j++)
            (c[j], h[j]) = LstmCell.Update(preActivations[j], preActivations[hidden + j], preActivations[2 * hidden + j], preActivations[3 * hidden + j], c[j]);
    }

    /// <summary>The pre-activations turned into the gates an observer is shown: σ for i, f and o, tanh for g (in place).</summary>
    public static void ActivateGates(Span<float> gates)
    {
        int hidden = gates.Length / 4;
        for (int r = 0; r < gates.Length; r++)
            gates[r] = r / hidden == 2 ? DeterministicMath.Tanh(gates[r]) : LstmCell.Sigmoid(gates[r]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Units<TLanes, TVector>(ReadOnlySpan<float> pre, Span<float> h, Span<float> c, int j)
        where TLanes : IFloatLanes<TVector> where TVector : struct
    {
        int hidden = h.Length;
        LstmCell.Update<TLanes, TVector>(TLanes.Load(pre, j), TLanes.Load(pre, hidden + j), TLanes.Load(pre, 2 * hidden + j), TLanes.Load(pre, 3 * hidden + j), c, h, j);
    }
}
