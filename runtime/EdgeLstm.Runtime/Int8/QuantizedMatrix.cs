using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// An integer weight matrix with one float scale per row, viewed in place in the model file: int8 dense or
/// block-sparse, or int4 in groups with integer multipliers (<see cref="Int4Panels"/>). Its products with int8
/// activations are exact int32 in every form, so what follows them does not depend on which.
/// </summary>
public sealed class QuantizedMatrix
{
    private readonly ModelFile _file;
    private readonly TensorEntry _entry;
    // Block-sparse matrices up to 512 columns: the sparse kernels' pair offsets, derived at load like the row sums.
    private readonly BlockPairIndex? _pairs;
    // Dense matrices of short rows: a copy with rows in lanes, for the variants with panel products.
    private readonly Int8Panels? _panels;

    public QuantizedMatrix(ModelFile file, TensorEntry entry)
    {
        _file = file;
        _entry = entry;
        bool int8 = entry.DType == TensorDType.I8 && entry.Quantization == TensorQuantization.SymmetricPerRow;
        bool int4 = entry.DType == TensorDType.I4 && entry.Quantization == TensorQuantization.SymmetricPerRowGroup;
        if (!(int8 || int4) || entry.Shape.Length != 2)
            throw new ModelFormatException($"{file.Source}: tensor '{entry.Name}' must be a 2-D I8 tensor with per-row scales or an I4 one with group multipliers");
        Rows = (int)entry.Rows;
        Columns = (int)entry.Columns;
        Scales = file.Floats(file.ScaleOf(entry)!).ToArray();
        // One pass over int8 weights at load, so kernels that multiply by biased activations can remove the bias
        // (int4 products multiply unsigned nibbles by x as it is, and need none).
        RowSums = int4 ? [] : Layout == TensorLayout.Dense ? Int8RowSums.Dense(Dense, Rows, Columns) : Int8Reference.RowSums(BlockSparse);
        _pairs = IsBlockSparse ? BlockPairIndex.Build(BlockSparse, Columns) : null;
        _panels = Layout == TensorLayout.Dense && Columns <= Int8Panels.MaxColumns ? new Int8Panels(Dense, Rows, Columns) : null;
    }

    public int Rows { get; }
    public int Columns { get; }
    public float[] Scales { get; }
    /// <summary>Σ of each row's weights (see <see cref="ILstmKernels.MatVec"/>).</summary>
    public int[] RowSums { get; }
    public TensorLayout Layout => _entry.Layout;
    public bool IsInt4 => _entry.DType == TensorDType.I4;
    private bool IsBlockSparse => Layout is TensorLayout.BlockSparse16 or TensorLayout.BlockSparse16Aligned;
    public long BlockCount => _entry.BlockCount;
    public long StoredBytes => _entry.Length + 4L * Scales.Length;
    public string Name => _entry.Name;

    /// <summary>Fraction of weights that are zero (block-sparse: of the blocks not stored plus zeros inside kept ones).</summary>
    public double Sparsity
    {
        get
        {
            long nonZero;
            if (IsInt4)
            {
                Int4Panels w = Int4;
                nonZero = 0;
                for (int r = 0; r < Rows; r++)
                    for (int j = 0; j < Columns; j++)
                        if (w.Value(r, j) != 0 && w.Multiplier(r, j / Int4Panels.GroupColumns) != 0) nonZero++;
                return 1.0 - (double)nonZero / ((long)Rows * Columns);
            }
            ReadOnlySpan<sbyte> values = Layout == TensorLayout.Dense ? _file.SBytes(_entry) : BlockSparse.Values;
            nonZero = values.Length - values.Count((sbyte)0);
            return 1.0 - (double)nonZero / ((long)Rows * Columns);
        }
    }

    /// <summary>The values of a dense int8 matrix, row-major.</summary>
    public ReadOnlySpan<sbyte> Dense => _entry.DType == TensorDType.I8 && Layout == TensorLayout.Dense ? _file.SBytes(_entry)
        : throw new InvalidOperationException($"tensor '{Name}' is not a dense int8 matrix");
    public Int4Panels Int4 => new(_file.Bytes(_entry), Rows, Columns);
    public BlockSparseLayout BlockSparse => new BlockSparseLayout(_file.Bytes(_entry), _entry.Rows, _entry.BlockCount, _entry.Layout).WithPairs(_pairs);

    /// <summary>Products of rows [start, start + y.Length) only.</summary>
    public void MatVecRows(ILstmKernels kernels, ReadOnlySpan<sbyte> x, Span<int> y, int start)
    {
        if (IsInt4)
        {
            kernels.Int4MatVec(Int4, start, x, y);
            return;
        }
        ReadOnlySpan<int> sums = RowSums.AsSpan(start, y.Length);
        if (_panels is not null && kernels.HasPanels && start % Int8Panels.BlockRows == 0 && (y.Length % Int8Panels.BlockRows == 0 || start + y.Length == Rows))
            kernels.PanelMatVec(_panels, start / Int8Panels.BlockRows, sums, x, y);
        else if (Layout == TensorLayout.Dense) kernels.MatVec(Dense.Slice(start * Columns, y.Length * Columns), sums, x, y);
        else kernels.BlockSparseMatVec(BlockSparse.Rows(start, y.Length), sums, x, y);
    }

    /// <summary>Exact int32 products of every row with <paramref name="x"/>.</summary>
    public void MatVec(ILstmKernels kernels, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        if (IsInt4) kernels.Int4MatVec(Int4, 0, x, y[..Rows]);
        else if (_panels is not null && kernels.HasPanels) kernels.PanelMatVec(_panels, 0, RowSums, x, y[..Rows]);
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
        if (IsInt4)
        {
            kernels.Int4MatMul(Int4, x[..(count * Columns)], count, y[..(count * Rows)]);
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
