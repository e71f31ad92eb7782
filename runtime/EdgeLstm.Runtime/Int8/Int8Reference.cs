using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// The integer oracle: plain loops with exact int32 accumulation (|q| ≤ 127, so 127² · 4096 columns still
/// fits). Tests check every kernel variant's products against these.
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

    /// <summary>Σ_j w[r, j] of each row of a dense row-major [rows, cols] matrix.</summary>
    public static int[] RowSums(ReadOnlySpan<sbyte> w, int rows, int cols)
    {
        var sums = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int sum = 0;
            foreach (sbyte v in w.Slice(r * cols, cols)) sum += v;
            sums[r] = sum;
        }
        return sums;
    }

    /// <summary>Σ of each row's kept blocks (the pruned ones are zero).</summary>
    public static int[] RowSums(BlockSparseLayout w)
    {
        var sums = new int[w.RowStart.Length - 1];
        for (int r = 0; r < sums.Length; r++)
        {
            int sum = 0;
            int from = (int)w.RowStart[r] * ModelFileLayout.BlockWidth, to = (int)w.RowStart[r + 1] * ModelFileLayout.BlockWidth;
            foreach (sbyte v in w.Values[from..to]) sum += v;
            sums[r] = sum;
        }
        return sums;
    }
}
