using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Int8;

/// <summary>An int8 weight matrix with one float scale per row, dense or block-sparse, viewed in place in the model file.</summary>
public sealed class Int8Matrix
{
    private readonly ModelFile _file;
    private readonly TensorEntry _entry;
    // Block-sparse matrices up to 512 columns: the sparse kernels' pair offsets, derived at load like the row sums.
    private readonly BlockPairIndex? _pairs;
    // Dense matrices of short rows: a copy with rows in lanes, for the variants with panel products.
    private readonly Int8Panels? _panels;

    public Int8Matrix(ModelFile file, TensorEntry entry)
    {
        _file = file;
        _entry = entry;
        if (entry.DType != TensorDType.I8 || entry.Quantization != TensorQuantization.SymmetricPerRow || entry.Shape.Length != 2)
            throw new ModelFormatException($"{file.Source}: tensor '{entry.Name}' must be a 2-D I8 tensor with per-row scales");
        Rows = (int)entry.Rows;
        Columns = (int)entry.Columns;
        Scales = file.Floats(file.ScaleOf(entry)!).ToArray();
        // One pass over the weights at load, so kernels that multiply by biased activations can remove the bias.
        RowSums = Layout == TensorLayout.Dense ? Int8RowSums.Dense(Dense, Rows, Columns) : Int8Reference.RowSums(BlockSparse);
        _pairs = Layout == TensorLayout.Dense ? null : BlockPairIndex.Build(BlockSparse, Columns);
        _panels = Layout == TensorLayout.Dense && Columns <= Int8Panels.MaxColumns ? new Int8Panels(Dense, Rows, Columns) : null;
    }

    public int Rows { get; }
    public int Columns { get; }
    public float[] Scales { get; }
    /// <summary>Σ of each row's weights (see <see cref="ILstmKernels.MatVec"/>).</summary>
    public int[] RowSums { get; }
    public TensorLayout Layout => _entry.Layout;
    public long BlockCount => _entry.BlockCount;
    public long StoredBytes => _entry.Length + 4L * Scales.Length;
    public string Name => _entry.Name;

    /// <summary>Fraction of weights that are zero (block-sparse: of the blocks not stored plus zeros inside kept ones).</summary>
    public double Sparsity
    {
        get
        {
            ReadOnlySpan<sbyte> values = Layout == TensorLayout.Dense ? _file.SBytes(_entry) : BlockSparse.Values;
            long nonZero = values.Length - values.Count((sbyte)0);
            return 1.0 - (double)nonZero / ((long)Rows * Columns);
        }
    }

    public ReadOnlySpan<sbyte> Dense => _file.SBytes(_entry);
    public BlockSparseLayout BlockSparse => new BlockSparseLayout(_file.Bytes(_entry), _entry.Rows, _entry.BlockCount, _entry.Layout).WithPairs(_pairs);

    /// <summary>Products of rows [start, start + y.Length) only.</summary>
    public void MatVecRows(ILstmKernels kernels, ReadOnlySpan<sbyte> x, Span<int> y, int start)
    {
        ReadOnlySpan<int> sums = RowSums.AsSpan(start, y.Length);
        if (_panels is not null && kernels.HasPanels && start % Int8Panels.BlockRows == 0 && (y.Length % Int8Panels.BlockRows == 0 || start + y.Length == Rows))
            kernels.PanelMatVec(_panels, start / Int8Panels.BlockRows, sums, x, y);
        else if (Layout == TensorLayout.Dense) kernels.MatVec(Dense.Slice(start * Columns, y.Length * Columns), sums, x, y);
        else kernels.BlockSparseMatVec(BlockSparse.Rows(start, y.Length), sums, x, y);
    }

    /// <summary>Exact int32 products of every row with <paramref name="x"/>.</summary>
    public void MatVec(ILstmKernels kernels, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        if (_panels is not null && kernels.HasPanels) kernels.PanelMatVec(_panels, 0, RowSums, x, y[..Rows]);
        else if (Layout == TensorLayout.Dense) kernels.MatVec(Dense, RowSums, x, y);
        else kernels.BlockSparseMatVec(BlockSparse, RowSums, x, y);
    }

    /// <summary>Exact int32 products of every row with each of <paramref name="count"/> vectors: y[b·Rows + r] (each dense row read once for all).</summary>
    public void MatMul(ILstmKernels kernels, ReadOnlySpan<sbyte> x, int count, Span<int> y)
    {
        if (count == 1)
        {
            MatVec(kernels, x[..Columns], y[..Rows]); // the single-vector kernels are the fastest for one
            return;
        }
        if (Layout == TensorLayout.Dense)
        {
            kernels.MatMul(Dense, RowSums, Columns, x[..(count * Columns)], count, y[..(count * Rows)]);
            return;
        }
        for (int b = 0; b < count; b++) MatVec(kernels, x.Slice(b * Columns, Columns), y.Slice(b * Rows, Rows));
    }
}
