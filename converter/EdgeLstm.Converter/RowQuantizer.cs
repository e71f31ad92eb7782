namespace EdgeLstm.Converter;

/// <summary>Symmetric int8 quantization with one scale per row: scale = max|row| / L, q = round-half-even(w / scale), L = 127 (8 bits) or 63 (7 bits).</summary>
public static class RowQuantizer
{
    /// <param name="limit">The largest |q|: 127, or 63 for 7-bit weights.</param>
    public static (sbyte[] Values, float[] Scales) Quantize(ReadOnlySpan<float> matrix, int rows, int columns, int limit = 127)
    {
        var q = new sbyte[rows * columns];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            float maxAbs = 0f;
            foreach (float v in row) maxAbs = MathF.Max(maxAbs, MathF.Abs(v));
            if (maxAbs == 0f) continue; // all-zero row: q = 0, scale = 0
            float scale = maxAbs / limit;
            scales[r] = scale;
            for (int c = 0; c < columns; c++)
                q[r * columns + c] = (sbyte)Math.Clamp(MathF.Round(row[c] / scale, MidpointRounding.ToEven), -limit, limit);
        }
        return (q, scales);
    }
}
