namespace EdgeLstm.Tests;

public sealed class Int8PanelTests
{
    [Theory]
    [InlineData(64, 128)]
    [InlineData(200, 40)]  // a partial last block
    [InlineData(5, 3)]     // one short block, one partial quad
    [InlineData(130, 127)] // both, at the widest repacked rows
    public void PanelProductsEqualExactSumsOnEveryVariantAndRowRange(int rows, int cols)
    {
        var random = new Random(rows * 1000 + cols);
        foreach (int bits in new[] { 8, 7 })
        {
            int limit = bits == 8 ? 127 : 63;
            var w = new sbyte[rows * cols];
            for (int i = 0; i < w.Length; i++) w[i] = (sbyte)random.Next(-limit, limit + 1);
            var x = new sbyte[cols];
            for (int j = 0; j < cols; j++) x[j] = (sbyte)random.Next(-127, 128);
            x[0] = -127; // the sign handling at its edge
            var expected = new int[rows];
            var rowSums = new int[rows];
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++)
                {
                    expected[r] += w[r * cols + j] * x[j];
                    rowSums[r] += w[r * cols + j];
                }
            var panels = new Int8Panels(w, rows, cols);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++)
                    Assert.Equal(w[r * cols + j], panels[r, j]);
            int variants = 0;
            foreach (var kernels in LstmKernels.AllSupported(bits).Where(k => k.HasPanels))
            {
                variants++;
                var y = new int[rows];
                kernels.PanelMatVec(panels, 0, rowSums, x, y);
                Assert.True(expected.AsSpan().SequenceEqual(y), $"{kernels.Name}, {bits}-bit weights: panel product differs");
                if (rows <= Int8Panels.BlockRows) continue;
                var tail = new int[rows - Int8Panels.BlockRows];
                kernels.PanelMatVec(panels, 1, rowSums.AsSpan(Int8Panels.BlockRows), x, tail);
                Assert.True(expected.AsSpan(Int8Panels.BlockRows).SequenceEqual(tail), $"{kernels.Name}, {bits}-bit weights: rows from the second block differ");
            }
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.True(variants > 0, "no variant with panel products ran");
        }
    }
}
