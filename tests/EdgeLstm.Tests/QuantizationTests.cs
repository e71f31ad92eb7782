namespace EdgeLstm.Tests;

public sealed class QuantizationTests
{
    [Fact]
    public void RowQuantizationErrorIsAtMostHalfAStep()
    {
        var random = new Random(3);
        const int rows = 40, cols = 33;
        var w = new float[rows * cols];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1) * (1 + i / cols);
        var (q, scales) = RowQuantizer.Quantize(w, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            float maxAbs = 0;
            int extreme = 0;
            for (int c = 0; c < cols; c++)
            {
                float err = MathF.Abs(w[r * cols + c] - q[r * cols + c] * scales[r]);
                Assert.True(err <= scales[r] / 2 * 1.0001f, $"row {r} col {c}: error {err} > half step {scales[r] / 2}");
                Assert.InRange(q[r * cols + c], (sbyte)-127, (sbyte)127);
                if (MathF.Abs(w[r * cols + c]) > maxAbs) { maxAbs = MathF.Abs(w[r * cols + c]); extreme = c; }
            }
            Assert.Equal(127, Math.Abs((int)q[r * cols + extreme])); // the row's largest weight uses the full range
        }
    }

    [Fact]
    public void ZeroRowsQuantizeToZeroWithZeroScale()
    {
        var (q, scales) = RowQuantizer.Quantize(new float[8], 2, 4);
        Assert.All(q, v => Assert.Equal(0, v));
        Assert.All(scales, s => Assert.Equal(0f, s));
    }

    [Fact]
    public void DynamicActivationQuantizationStaysInRangeAndWithinHalfAStep()
    {
        var random = new Random(4);
        var x = new float[257];
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Tanh((float)(random.NextDouble() * 6 - 3));
        var q = new sbyte[x.Length];
        float s = FloatParts.Quantize(1, x, q);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(q[i], (sbyte)-127, (sbyte)127);
            Assert.True(MathF.Abs(x[i] - q[i] * s) <= s / 2 * 1.0001f);
        }
        Assert.Equal(0f, FloatParts.Quantize(1, new float[5], q.AsSpan(0, 5)));
    }

    [Theory]
    [InlineData(TensorLayout.BlockSparse16)]
    [InlineData(TensorLayout.BlockSparse16Aligned)]
    public void BlockSparseProductEqualsTheDenseProduct(TensorLayout format)
    {
        var random = new Random(5);
        const int rows = 24, cols = 64;
        var dense = new sbyte[rows * cols];
        for (int i = 0; i < dense.Length; i++)
            dense[i] = (i / 16 % 3 == 0) ? (sbyte)0 : (sbyte)random.Next(-127, 128); // every third block empty
        var x = new sbyte[cols];
        for (int i = 0; i < cols; i++) x[i] = (sbyte)random.Next(-127, 128);
        var (data, blocks) = BlockSparseLayout.Encode(dense, rows, cols, format);
        var layout = new BlockSparseLayout(data, rows, blocks, format);
        Assert.Null(layout.Check(cols));
        // 4·25 bytes of row starts, 2·B of block columns: the values start at 16 bytes past them, or 64.
        int values = BlockSparseLayout.ValuesOffset(rows, blocks, format);
        Assert.Equal(0, values % (format == TensorLayout.BlockSparse16Aligned ? 64 : 16));
        Assert.Equal(BlockSparseLayout.ByteLength(rows, blocks, format), data.Length);
        Assert.True(blocks < rows * cols / 16);
        var expected = new int[rows];
        var actual = new int[rows];
        Int8Reference.DenseMatVec(dense, x, expected);
        Int8Reference.BlockSparseMatVec(layout, x, actual);
        Assert.Equal(expected, actual);
    }
}
