namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// A dense int8 matrix repacked for products with rows in vector lanes: blocks of <see cref="BlockRows"/> rows, and in
/// each block, column quad after column quad, the block's rows' four bytes of that quad side by side (256 bytes).
/// One 32-bit broadcast of x's quad then multiplies eight rows per 256-bit instruction into eight int32 lanes, and no
/// row's sum ends in a horizontal reduction — which is what short rows (64–128 columns: a BiLSTM's W_hh) spent much of
/// their time on. Columns are padded with zeros to a multiple of four, the last block with zero rows; the first block
/// starts on a 64-byte boundary (a pinned array). Built once from the file's row-major values at load.
/// </summary>
public sealed class Int8Panels
{
    /// <summary>Rows per block: eight 256-bit vectors of int32 lanes, four 512-bit ones, sixteen NEON registers.</summary>
    public const int BlockRows = 64;

    /// <summary>Row-major matrices up to this many columns are repacked (longer rows gain little: their reduction is a small part).</summary>
    public const int MaxColumns = 128;

    private const int Align = 64;
    private readonly sbyte[] _data;
    private readonly int _start;

    public Int8Panels(ReadOnlySpan<sbyte> rowMajor, int rows, int columns)
    {
        if (rowMajor.Length < (long)rows * columns) throw new ArgumentException($"a [{rows}, {columns}] matrix needs {(long)rows * columns} values", nameof(rowMajor));
        Rows = rows;
        Columns = columns;
        Quads = (columns + 3) / 4;
        Blocks = (rows + BlockRows - 1) / BlockRows;
        _data = GC.AllocateArray<sbyte>(Blocks * BlockBytes + Align, pinned: true);
        unsafe
        {
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
            _start = (int)((Align - address % Align) % Align);
        }
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
                _data[_start + Offset(r, j)] = rowMajor[r * columns + j];
    }

    public int Rows { get; }
    public int Columns { get; }
    /// <summary>Column quads: columns / 4, rounded up.</summary>
    public int Quads { get; }
    public int Blocks { get; }
    /// <summary>Bytes of one block: quads × 64 rows × 4.</summary>
    public int BlockBytes => Quads * BlockRows * 4;

    /// <summary>Block <paramref name="block"/>'s first byte.</summary>
    public ref sbyte Block(int block) => ref _data[_start + block * BlockBytes];

    /// <summary>Where w[r, j] is, from the first block's start.</summary>
    internal int Offset(int r, int j) => r / BlockRows * BlockBytes + j / 4 * BlockRows * 4 + r % BlockRows * 4 + j % 4;

    public sbyte this[int r, int j] => (uint)r < (uint)Rows && (uint)j < (uint)Columns
        ? _data[_start + Offset(r, j)]
        : throw new ArgumentOutOfRangeException(nameof(r), $"({r}, {j}) is outside a [{Rows}, {Columns}] matrix");
}
