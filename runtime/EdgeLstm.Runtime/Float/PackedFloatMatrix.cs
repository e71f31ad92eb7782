namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float matrix stored the way <see cref="FloatMatVec"/> multiplies it: rows in groups of <see cref="GroupRows"/>
/// (eight panels of <see cref="PanelRows"/>: eight 512-bit vectors, sixteen 256-bit ones), each group stored column
/// by column: column j of a group's 128 rows is 128 consecutive floats. A product then keeps rows in vector lanes
/// and needs no horizontal sum per row, which is what short rows (hidden 64–128) spend most of their time on in a
/// row-major dot product, and the row slices it runs at once read one sequential stream (eight streams 8 KB apart
/// ran at half the L2 rate). The last group is padded with zero rows, so every group has the same shape and the
/// products address its slices at fixed offsets. Built once from PyTorch's row-major layout when a model is loaded.
/// </summary>
public sealed class PackedFloatMatrix
{
    /// <summary>Rows per panel: the widest vector's float lanes, so every width (4, 8, 16) divides it.</summary>
    public const int PanelRows = 16;

    /// <summary>Rows per group: eight panels, as many as a product runs at once at the widest vector.</summary>
    public const int GroupRows = 8 * PanelRows;

    /// <param name="rowMajor">[rows, cols], row-major.</param>
    public PackedFloatMatrix(ReadOnlySpan<float> rowMajor, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (rowMajor.Length != (long)rows * cols) throw new ArgumentException($"a [{rows}, {cols}] matrix has {(long)rows * cols} values, not {rowMajor.Length}", nameof(rowMajor));
        Rows = rows;
        Cols = cols;
        // On the pinned heap, which never moves an array, so the first group can start on a 64-byte boundary and
        // every 512-bit load of a column reads one cache line, not two.
        Panels = GC.AllocateArray<float>((rows + GroupRows - 1) / GroupRows * GroupRows * cols + AlignFloats, pinned: true);
        unsafe
        {
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Panels));
            Start = (int)((AlignFloats - address / sizeof(float) % AlignFloats) % AlignFloats);
        }
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = rowMajor.Slice(r * cols, cols);
            int start = RowStart(r);
            for (int j = 0; j < cols; j++) Panels[start + j * GroupRows] = row[j];
        }
    }

    public int Rows { get; }
    public int Cols { get; }

    /// <summary>Group after group; in each, column j of its 128 rows at [j·128, j·128 + 128).</summary>
    internal float[] Panels { get; }

    /// <summary>Where row r's column 0 is in <see cref="Panels"/>; column j is j · <see cref="GroupRows"/> further.</summary>
    internal int RowStart(int r) => Start + r / GroupRows * GroupRows * Cols + r % GroupRows;

    /// <summary>Where the first group starts in <see cref="Panels"/>: the first 64-byte boundary.</summary>
    private int Start { get; }

    private const int AlignFloats = 64 / sizeof(float);

    public float this[int r, int j] => (uint)r < (uint)Rows && (uint)j < (uint)Cols
        ? Panels[RowStart(r) + j * GroupRows]
        : throw new ArgumentOutOfRangeException(nameof(r), $"({r}, {j}) is outside a [{Rows}, {Cols}] matrix");
}
