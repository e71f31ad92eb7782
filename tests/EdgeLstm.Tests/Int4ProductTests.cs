using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Tests;

public sealed class Int4ProductTests
{
    private static (sbyte[] Q, byte[] M, sbyte[] X) Random4(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var q = new sbyte[rows * cols];
        for (int i = 0; i < q.Length; i++) q[i] = (sbyte)random.Next(-8, 8);
        var m = new byte[rows * (cols / 32)];
        for (int i = 0; i < m.Length; i++) m[i] = (byte)random.Next(0, 64);
        var x = new sbyte[cols];
        for (int j = 0; j < cols; j++) x[j] = (sbyte)random.Next(-127, 128);
        return (q, m, x);
    }

    /// <summary>Σ_g m·Σ q·x straight from the row-major values: independent of the packed layout.</summary>
    private static int[] Expected(sbyte[] q, byte[] m, ReadOnlySpan<sbyte> x, int rows, int cols)
    {
        var y = new int[rows];
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < cols / 32; g++)
            {
                int sum = 0;
                for (int j = 32 * g; j < 32 * g + 32; j++) sum += q[r * cols + j] * x[j];
                y[r] += m[r * (cols / 32) + g] * sum;
            }
        return y;
    }

    [Theory]
    [InlineData(64, 32)]
    [InlineData(200, 96)]  // a partial last block
    [InlineData(130, 512)] // the default model's rows' width
    [InlineData(3, 64)]    // one short block
    public void PackingRoundTripsAndEveryVariantEqualsTheReference(int rows, int cols)
    {
        var (q, m, x) = Random4(rows, cols, rows * 1000 + cols);
        var w = new Int4Panels(Int4Panels.Encode(q, m, rows, cols), rows, cols);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                Assert.Equal(q[r * cols + j], w.Value(r, j));
                if (j % 32 == 0) Assert.Equal(m[r * (cols / 32) + j / 32], w.Multiplier(r, j / 32));
            }
        int[] expected = Expected(q, m, x, rows, cols);
        var reference = new int[rows];
        Int4Reference.MatVec(w, x, reference);
        Assert.Equal(expected, reference);

        int variants = 0;
        foreach (var kernels in LstmKernels.AllSupported(7).Concat(LstmKernels.AllSupported(8).Where(k => !k.NeedsSevenBitWeights)).DistinctBy(k => k.Name))
        {
            variants++;
            var y = new int[rows];
            kernels.Int4MatVec(w, 0, x, y);
            Assert.True(expected.AsSpan().SequenceEqual(y), $"{kernels.Name}: int4 product differs");
            // Row ranges that start and end inside blocks, as the two threads' halves may.
            foreach (var (start, length) in new[] { (17, Math.Min(50, rows - 17)), (64, rows - 64), (rows - 1, 1) })
            {
                if (start < 0 || length < 1) continue;
                var part = new int[length];
                kernels.Int4MatVec(w, start, x, part);
                Assert.True(expected.AsSpan(start, length).SequenceEqual(part), $"{kernels.Name}: rows [{start}, {start + length}) differ");
            }
            // Several vectors at once equal one at a time.
            var xs = new sbyte[3 * cols];
            for (int v = 0; v < 3; v++) Random4(1, cols, v).X.CopyTo(xs, v * cols);
            var batch = new int[3 * rows];
            kernels.Int4MatMul(w, xs, 3, batch);
            for (int v = 0; v < 3; v++)
                Assert.True(Expected(q, m, xs.AsSpan(v * cols, cols), rows, cols).AsSpan().SequenceEqual(batch.AsSpan(v * rows, rows)), $"{kernels.Name}: batched vector {v} differs");
        }
        Assert.True(variants >= 2, "at least a SIMD variant and the scalar one run here");
    }

    [Fact]
    public void TheAvxVnniBlockThatAvx512CpusSkipIsExactToo()
    {
        // avxvnni-dpbusd runs the 512-bit pmaddubsw block where AVX-512BW is there; its own 256-bit one is for
        // CPUs without (Alder Lake and later clients), so it is run directly here.
        if (!System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) return;
        const int rows = 64, cols = 160;
        var (q, m, x) = Random4(rows, cols, 11);
        var w = new Int4Panels(Int4Panels.Encode(q, m, rows, cols), rows, cols);
        var corrections = new int[Int4Products.CorrectionsPerGroup * w.Groups];
        Int4Products.Corrections(x, corrections);
        var y = new int[rows];
        Int8DotAvxVnni.Int4Block256(ref w.Block(0), ref x[0], ref corrections[0], w.Groups, ref y[0]);
        Assert.Equal(Expected(q, m, x, rows, cols), y);
    }

    [Fact]
    public void ExtremeValuesStayExact()
    {
        // The largest sums the kernels' 16-bit steps see: q = −8 and x = −127 everywhere, m = 63 (and, in the second
        // row, q = 7 against x = −127, of the other sign); 16,384 columns, the most the format allows.
        const int rows = 2, cols = Int4Panels.MaxColumns;
        var q = new sbyte[rows * cols];
        Array.Fill(q, (sbyte)-8, 0, cols);
        Array.Fill(q, (sbyte)7, cols, cols);
        var m = new byte[rows * cols / 32];
        Array.Fill(m, (byte)63);
        var x = new sbyte[cols];
        Array.Fill(x, (sbyte)-127);
        var w = new Int4Panels(Int4Panels.Encode(q, m, rows, cols), rows, cols);
        int[] expected = [8 * 127 * 63 * cols, -7 * 127 * 63 * cols];
        foreach (var kernels in LstmKernels.AllSupported(8))
        {
            var y = new int[rows];
            kernels.Int4MatVec(w, 0, x, y);
            Assert.True(expected.AsSpan().SequenceEqual(y), $"{kernels.Name}: {y[0]}, {y[1]} instead of {expected[0]}, {expected[1]}");
        }
    }

    [Fact]
    public void EncodeRefusesValuesOutsideTheFormat()
    {
        Assert.Throws<ArgumentException>(() => Int4Panels.Encode(new sbyte[32] { 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, [1], 1, 32));
        Assert.Throws<ArgumentException>(() => Int4Panels.Encode(new sbyte[32], [64], 1, 32));
        Assert.Throws<ArgumentException>(() => Int4Panels.Encode(new sbyte[48], [1], 1, 48));
    }
    [Fact]
    public void EachGroupsMultiplierScalesOnlyItsOwnColumns()
    {
        // Activations only in group 1 of each row; group 0's multiplier 0, group 1's 5, group 2's 63. A kernel that
        // applied a neighbour's multiplier would give 0 or 63·s instead of 5·s.
        const int rows = 40, cols = 96;
        var q = new sbyte[rows * cols];
        var m = new byte[rows * 3];
        var x = new sbyte[cols];
        var random = new Random(11);
        for (int i = 0; i < q.Length; i++) q[i] = (sbyte)random.Next(-8, 8);
        for (int r = 0; r < rows; r++) (m[3 * r], m[3 * r + 1], m[3 * r + 2]) = (0, 5, 63);
        for (int j = 32; j < 64; j++) x[j] = (sbyte)random.Next(-127, 128);
        var w = new Int4Panels(Int4Panels.Encode(q, m, rows, cols), rows, cols);
        var expected = new int[rows];
        for (int r = 0; r < rows; r++)
            for (int j = 32; j < 64; j++) expected[r] += 5 * q[r * cols + j] * x[j];
        Assert.Contains(expected, v => v != 0);
        foreach (var kernels in LstmKernels.AllSupported(7).Concat(LstmKernels.AllSupported(8)).DistinctBy(k => k.Name))
        {
            var y = new int[rows];
            kernels.Int4MatVec(w, 0, x, y);
            Assert.True(expected.AsSpan().SequenceEqual(y), $"{kernels.Name}: a group's product was scaled by another group's multiplier");
        }
    }
}
