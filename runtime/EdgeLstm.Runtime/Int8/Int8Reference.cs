using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Scalar int8 kernels: exact int32 accumulation (|q| ≤ 127, so 127² · 4096 columns still fits), and the
/// activation quantizer. The SIMD kernels must give bit-identical results to these.
/// </summary>
public static class Int8Reference
{
    /// <summary>y[r] = Σ_j w[r, j] · x[j] over a dense row-major [y.Length, x.Length] matrix.</summary>
    public static void DenseMatVec(ReadOnlySpan<sbyte> w, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        int cols = x.Length;
        for (int r = 0; r < y.Length; r++)
        {
            ReadOnlySpan<sbyte> row = w.Slice(r * cols, cols);
            int sum = 0;
            for (int j = 0; j < cols; j++) sum += row[j] * x[j];
            y[r] = sum;
        }
    }

    /// <summary>The same product over the kept 1×16 blocks only.</summary>
    public static void BlockSparseMatVec(BlockSparseLayout w, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        for (int r = 0; r < y.Length; r++)
        {
            int sum = 0;
            for (int b = (int)w.RowStart[r]; b < (int)w.RowStart[r + 1]; b++)
            {
                ReadOnlySpan<sbyte> block = w.Values.Slice(b * ModelFileLayout.BlockWidth, ModelFileLayout.BlockWidth);
                ReadOnlySpan<sbyte> xs = x.Slice(w.BlockColumns[b] * ModelFileLayout.BlockWidth, ModelFileLayout.BlockWidth);
                for (int j = 0; j < ModelFileLayout.BlockWidth; j++) sum += block[j] * xs[j];
            }
            y[r] = sum;
        }
    }

    /// <summary>
    /// Symmetric quantization by the vector's own range: s = max|x| / 127, q = round-half-even(x / s) in
    /// [-127, 127]. Returns s (0 for an all-zero vector, whose q are all 0).
    /// </summary>
    public static float QuantizeDynamic(ReadOnlySpan<float> x, Span<sbyte> q)
    {
        float maxAbs = 0f;
        foreach (float v in x) maxAbs = MathF.Max(maxAbs, MathF.Abs(v));
        if (maxAbs == 0f)
        {
            q.Clear();
            return 0f;
        }
        float scale = maxAbs / 127f;
        for (int i = 0; i < x.Length; i++)
            q[i] = (sbyte)Math.Clamp(MathF.Round(x[i] / scale, MidpointRounding.ToEven), -127f, 127f);
        return scale;
    }
}
