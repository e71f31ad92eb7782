namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float matrix stored the way <see cref="FloatMatVec"/> multiplies it: rows in panels of <see cref="PanelRows"/>
/// (one 512-bit vector, two 256-bit ones), and panels in groups of <see cref="GroupPanels"/> stored column by column:
/// column j of a group's 128 rows is 128 consecutive floats. A product then keeps rows in vector lanes and needs no
/// horizontal sum per row, which is what short rows (hidden 64–128) spend most of their time on in a row-major dot
/// product, and the eight row slices it runs at once read one sequential stream (eight streams 8 KB apart ran at
/// half the L2 rate). The last group may have fewer panels; the last panel's missing rows are zero. Built once from
/// PyTorch's row-major layout when a model is loaded.
/// </summary>
public sealed class PackedFloatMatrix
{
    /// <summary>Rows per panel: the widest vector's float lanes, so every width (4, 8, 16) divides it.</summary>
    public const int PanelRows = 16;

    /// <summary>Panels stored side by side, column by column: as many as the products run at once.</summary>
    public const int GroupPanels = 8;

    /// <param name="rowMajor">[rows, cols], row-major.</param>
    public PackedFloatMatrix(ReadOnlySpan<float> rowMajor, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (rowMajor.Length != (long)rows * cols) throw new ArgumentException($"a [{rows}, {cols}] matrix has {(long)rows * cols} values, not {rowMajor.Length}", nameof(rowMajor));
        Rows = rows;
        Cols = cols;
        Panels = new float[(long)(rows + PanelRows - 1) / PanelRows * PanelRows * cols];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = rowMajor.Slice(r * cols, cols);
            int start = RowStart(r), stride = ColumnStride(r);
            for (int j = 0; j < cols; j++) Panels[start + j * stride] = row[j];
        }
    }

    public int Rows { get; }
    public int Cols { get; }

    /// <summary>Group after group; in each, column j of its rows at [j·n, j·n + n) for the group's n rows (128, or fewer in the last).</summary>
    internal float[] Panels { get; }

    /// <summary>Where row r's column 0 is in <see cref="Panels"/>; column j is j · <see cref="ColumnStride"/>(r) further.</summary>
    internal int RowStart(int r)
    {
        const int groupRows = GroupPanels * PanelRows;
        return r / groupRows * groupRows * Cols + r % groupRows;
    }

    /// <summary>Floats from one column to the next for row r: its group's rows, padded to whole panels.</summary>
    internal int ColumnStride(int r)
    {
        const int groupRows = GroupPanels * PanelRows;
        int panels = (Rows + PanelRows - 1) / PanelRows, group = r / groupRows;
        return Math.Min(GroupPanels, panels - group * GroupPanels) * PanelRows;
    }

    public float this[int r, int j] => (uint)r < (uint)Rows && (uint)j < (uint)Cols
        ? Panels[RowStart(r) + j * ColumnStride(r)]
        : throw new ArgumentOutOfRangeException(nameof(r), $"({r}, {j}) is outside a [{Rows}, {Cols}] matrix");
}
