namespace EdgeLstm.Converter;

/// <summary>Symmetric int8 quantization with one scale per row: scale = max|row| / 127, q = round-half-even(w / scale).</summary>
public static class RowQuantizer
{
    public static (sbyte[] Values, float[] Scales) Quantize(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        var q = new sbyte[rows * columns];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            float maxAbs = 0f;
            foreach (float v in row) maxAbs = MathF.Max(maxAbs, MathF.Abs(v));
            if (maxAbs == 0f) continue; // all-zero row: q = 0, scale = 0
            float scale = maxAbs / 127f;
            scales[r] = scale;
            for (int c = 0; c < columns; c++)
                q[r * columns + c] = (sbyte)Math.Clamp(MathF.Round(row[c] / scale, MidpointRounding.ToEven), -127f, 127f);
        }
        return (q, scales);
    }
}
