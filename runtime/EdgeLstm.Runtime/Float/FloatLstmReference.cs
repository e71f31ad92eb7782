namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The scalar float reference: plain loops, no SIMD, no cleverness. Every faster kernel is checked against it,
/// and it is checked against libtorch.
/// </summary>
public static class FloatLstmReference
{
    /// <summary>y[r] = bias[r] + Σ_j w[r, j] · x[j] for a row-major [rows, x.Length] matrix.</summary>
    public static void MatVecAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int cols = x.Length;
        for (int r = 0; r < y.Length; r++)
        {
            ReadOnlySpan<float> row = w.Slice(r * cols, cols);
            float sum = 0f;
            for (int j = 0; j < cols; j++) sum += row[j] * x[j];
            y[r] += sum;
        }
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// One LSTM cell step in PyTorch's gate order (i, f, g, o): h and c are updated in place from input x.
    /// <paramref name="gates"/> is scratch of length 4H.
    /// </summary>
    public static void Step(FloatLstmLayer layer, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates)
    {
        int hidden = layer.HiddenSize;
        for (int r = 0; r < 4 * hidden; r++) gates[r] = layer.BiasIh[r] + layer.BiasHh[r];
        MatVecAdd(layer.WeightIh, x, gates);
        MatVecAdd(layer.WeightHh, h, gates);
        for (int j = 0; j < hidden; j++)
        {
            float i = Sigmoid(gates[j]);
            float f = Sigmoid(gates[hidden + j]);
            float g = MathF.Tanh(gates[2 * hidden + j]);
            float o = Sigmoid(gates[3 * hidden + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * MathF.Tanh(c[j]);
        }
    }
}
