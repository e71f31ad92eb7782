namespace EdgeLstm.Runtime.Format;

/// <summary>
/// The bytes of an int4 matrix [rows, cols] (layout <see cref="TensorLayout.Int4Panels"/>): value w[r, j] =
/// q · m[r, g] · scale[r] with q in [−8, 7], g = j / 32, an integer group multiplier m in [0, 63] and a float scale
/// per row (as llama.cpp's K-quants keep 6-bit sub-block scales under one float). So a row's product with int8
/// activations is exact in int32 — Σ_g m[r, g]·Σ_{j in g} q·x — and everything after it (per-row scale, cell update)
/// is the int8 path's, bit for bit on every kernel.
/// Stored for the kernels' loads, rows in vector lanes as <see cref="Int8.Int8Panels"/>: blocks of 64 rows (the last
/// padded with q = 0, m = 0, which readers ignore); in a block, group after group, each <see cref="GroupBytes"/>:
/// four 256-byte slots of nibbles, then the 64 rows' multipliers (one byte each). Slot p's byte 4·rr + k holds row
/// rr's column 32g + 8p + k in its low nibble and column 32g + 8p + 4 + k in its high one, each as q + 8 — one load,
/// an and and a shift give two column quads of 8 (AVX2), 16 (AVX-512) or 4 (NEON) rows.
/// </summary>
public readonly ref struct Int4Panels
{
    public const int BlockRows = 64;
    public const int GroupColumns = 32;
    public const int SlotBytes = 256;
    /// <summary>Four slots of nibbles (64 rows × 32 columns / 2) and 64 multipliers.</summary>
    public const int GroupBytes = 4 * SlotBytes + BlockRows;
    public const int MaxMultiplier = 63;
    /// <summary>
    /// Keeps every row's product inside int32: |Σ_{j in g} q·x| ≤ 32·8·127, times m ≤ 63, over cols / 32 groups.
    /// </summary>
    public const int MaxColumns = 16384;

    public Int4Panels(ReadOnlySpan<byte> data, int rows, int columns)
    {
        if (rows < 1 || columns < GroupColumns || columns % GroupColumns != 0 || columns > MaxColumns)
            throw new ArgumentException($"an int4 matrix needs ≥ 1 row and a column count that is a multiple of {GroupColumns} up to {MaxColumns}, got [{rows}, {columns}]");
        if (data.Length != ByteLength(rows, columns))
            throw new ArgumentException($"an int4 [{rows}, {columns}] matrix is {ByteLength(rows, columns)} bytes, got {data.Length}");
        Data = data;
        Rows = rows;
        Columns = columns;
    }

    public ReadOnlySpan<byte> Data { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int Groups => Columns / GroupColumns;
    public int Blocks => (Rows + BlockRows - 1) / BlockRows;
    public int BlockBytes => Groups * GroupBytes;

    public static long ByteLength(long rows, long columns) => (rows + BlockRows - 1) / BlockRows * (columns / GroupColumns) * GroupBytes;

    /// <summary>Block <paramref name="block"/>'s first byte.</summary>
    public ref byte Block(int block) => ref Unsafe.Add(ref MemoryMarshal.GetReference(Data), block * BlockBytes);

    /// <summary>q of w[r, j], in [−8, 7].</summary>
    public int Value(int r, int j)
    {
        byte b = Data[NibbleOffset(r, j, Columns)];
        return (j % 8 < 4 ? b & 15 : b >> 4) - 8;
    }

    /// <summary>The integer multiplier of row r's group g.</summary>
    public int Multiplier(int r, int g) => Data[MultiplierOffset(r, g, Columns)];

    private static int NibbleOffset(int r, int j, int columns) =>
        r / BlockRows * (columns / GroupColumns * GroupBytes) + j / GroupColumns * GroupBytes + j % GroupColumns / 8 * SlotBytes + r % BlockRows * 4 + j % 4;

    private static int MultiplierOffset(int r, int g, int columns) =>
        r / BlockRows * (columns / GroupColumns * GroupBytes) + g * GroupBytes + 4 * SlotBytes + r % BlockRows;

    /// <summary>Packs row-major q [rows, cols] (each in [−8, 7]) and multipliers [rows, cols / 32] (each in [0, 63]).</summary>
    public static byte[] Encode(ReadOnlySpan<sbyte> q, ReadOnlySpan<byte> multipliers, int rows, int columns)
    {
        if (columns % GroupColumns != 0 || columns > MaxColumns || q.Length != rows * columns || multipliers.Length != rows * (columns / GroupColumns))
            throw new ArgumentException($"int4 values [{rows}, {columns}] and multipliers [{rows}, {columns / GroupColumns}] do not match the layout");
        var data = new byte[ByteLength(rows, columns)];
        // Padding rows hold q = 0 (nibble 8) and m = 0.
        for (int r = 0; r < (rows + BlockRows - 1) / BlockRows * BlockRows; r++)
            for (int j = 0; j < columns; j++)
            {
                int v = r < rows ? q[r * columns + j] : 0;
                if (v is < -8 or > 7) throw new ArgumentException($"int4 value {v} at [{r}, {j}] is outside [−8, 7]");
                data[NibbleOffset(r, j, columns)] |= (byte)(j % 8 < 4 ? v + 8 : (v + 8) << 4);
            }
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < columns / GroupColumns; g++)
            {
                byte m = multipliers[r * (columns / GroupColumns) + g];
                if (m > MaxMultiplier) throw new ArgumentException($"int4 group multiplier {m} at [{r}, {g}] is above {MaxMultiplier}");
                data[MultiplierOffset(r, g, columns)] = m;
            }
        return data;
    }

    /// <summary>Null when every multiplier of a real row is at most <see cref="MaxMultiplier"/>, otherwise what is wrong.</summary>
    public string? Check()
    {
        for (int r = 0; r < Rows; r++)
            for (int g = 0; g < Groups; g++)
                if (Multiplier(r, g) > MaxMultiplier) return $"group multiplier {Multiplier(r, g)} of row {r}, group {g} is above {MaxMultiplier}";
        return null;
    }
}
