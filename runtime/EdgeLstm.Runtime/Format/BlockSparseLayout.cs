namespace EdgeLstm.Runtime.Format;

/// <summary>
/// The bytes of a block-sparse int8 matrix [rows, cols] (cols a multiple of 16): u32 rowStart[rows + 1],
/// then u16 blockColumn[blocks] (column / 16, increasing within a row) at a 16-byte boundary, then the kept
/// blocks' int8 values, 16 per block, at a 16-byte (<see cref="TensorLayout.BlockSparse16"/>) or 64-byte
/// (<see cref="TensorLayout.BlockSparse16Aligned"/>) boundary. Row r owns blocks rowStart[r] .. rowStart[r+1]−1.
/// </summary>
public readonly ref struct BlockSparseLayout
{
    public BlockSparseLayout(ReadOnlySpan<byte> data, long rows, long blocks, TensorLayout layout)
    {
        int columnsAt = ColumnsOffset(rows);
        int valuesAt = ValuesOffset(rows, blocks, layout);
        RowStart = MemoryMarshal.Cast<byte, uint>(data[..(4 * ((int)rows + 1))]);
        BlockColumns = MemoryMarshal.Cast<byte, ushort>(data.Slice(columnsAt, 2 * (int)blocks));
        Values = MemoryMarshal.Cast<byte, sbyte>(data.Slice(valuesAt, ModelFileLayout.BlockWidth * (int)blocks));
    }

    private BlockSparseLayout(ReadOnlySpan<uint> rowStart, ReadOnlySpan<ushort> blockColumns, ReadOnlySpan<sbyte> values,
        ReadOnlySpan<uint> pairStart, ReadOnlySpan<ushort> pairOffsets, int pairBlockColumns, int uniformPairs)
    {
        PairBlockColumns = pairBlockColumns;
        UniformPairs = uniformPairs;
        RowStart = rowStart;
        BlockColumns = blockColumns;
        Values = values;
        PairStart = pairStart;
        PairOffsets = pairOffsets;
    }

    /// <summary>Rows [start, start + count) as their own matrix; block indices stay global, so nothing is copied.</summary>
    public BlockSparseLayout Rows(int start, int count) =>
        new(RowStart.Slice(start, count + 1), BlockColumns, Values, PairStart.IsEmpty ? default : PairStart.Slice(start, count + 1), PairOffsets, PairBlockColumns, UniformPairs);

    /// <summary>The same matrix with its pair index (derived at load, not stored in the file).</summary>
    public BlockSparseLayout WithPairs(BlockPairIndex? pairs) =>
        pairs is null ? this : new(RowStart, BlockColumns, Values, pairs.PairStart, pairs.PairOffsets, pairs.BlockColumns, pairs.UniformPairs);

    public ReadOnlySpan<uint> RowStart { get; }
    public ReadOnlySpan<ushort> BlockColumns { get; }
    public ReadOnlySpan<sbyte> Values { get; }
    /// <summary>Empty, or one entry per row + 1 (<see cref="BlockPairIndex.PairStart"/>).</summary>
    public ReadOnlySpan<uint> PairStart { get; }
    /// <summary>Empty, or <see cref="BlockPairIndex.PairOffsets"/>.</summary>
    public ReadOnlySpan<ushort> PairOffsets { get; }
    /// <summary>The column count / 16 the pair index was built for (0 without one).</summary>
    public int PairBlockColumns { get; }
    /// <summary><see cref="BlockPairIndex.UniformPairs"/> (0 without a pair index).</summary>
    public int UniformPairs { get; }

    public static int ColumnsOffset(long rows) => Align16(4 * (rows + 1));
    public static int ValuesOffset(long rows, long blocks, TensorLayout layout) =>
        Align(ColumnsOffset(rows) + 2 * blocks, layout == TensorLayout.BlockSparse16Aligned ? ModelFileLayout.Alignment : 16);
    public static long ByteLength(long rows, long blocks, TensorLayout layout) => ValuesOffset(rows, blocks, layout) + ModelFileLayout.BlockWidth * blocks;

    private static int Align16(long n) => Align(n, 16);
    private static int Align(long n, int to) => checked((int)((n + to - 1) / to * to));

    /// <summary>Packs a dense int8 matrix, keeping the blocks that have any non-zero value.</summary>
    public static (byte[] Data, long Blocks) Encode(ReadOnlySpan<sbyte> dense, int rows, int cols, TensorLayout layout = TensorLayout.BlockSparse16Aligned)
    {
        if (cols % ModelFileLayout.BlockWidth != 0)
            throw new ArgumentException($"block-sparse needs a column count divisible by {ModelFileLayout.BlockWidth}, got {cols}");
        int blocksPerRow = cols / ModelFileLayout.BlockWidth;
        var rowStart = new uint[rows + 1];
        var columns = new List<ushort>();
        var values = new List<sbyte>();
        for (int r = 0; r < rows; r++)
        {
            rowStart[r] = (uint)columns.Count;
            for (int b = 0; b < blocksPerRow; b++)
            {
                ReadOnlySpan<sbyte> block = dense.Slice(r * cols + b * ModelFileLayout.BlockWidth, ModelFileLayout.BlockWidth);
                if (block.IndexOfAnyExcept((sbyte)0) < 0) continue;
                columns.Add((ushort)b);
                foreach (sbyte v in block) values.Add(v);
            }
        }
        rowStart[rows] = (uint)columns.Count;
        long blocks = columns.Count;
        var data = new byte[ByteLength(rows, blocks, layout)];
        MemoryMarshal.AsBytes(rowStart.AsSpan()).CopyTo(data);
        MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(columns)).CopyTo(data.AsSpan(ColumnsOffset(rows)));
        MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(values)).CopyTo(data.AsSpan(ValuesOffset(rows, blocks, layout)));
        return (data, blocks);
    }

    /// <summary>Null when the structure is consistent, otherwise what is wrong with it.</summary>
    public string? Check(long cols)
    {
        long blocksPerRow = cols / ModelFileLayout.BlockWidth;
        if (RowStart[0] != 0) return "rowStart[0] is not 0";
        for (int r = 0; r + 1 < RowStart.Length; r++)
        {
            uint start = RowStart[r], end = RowStart[r + 1];
            if (end < start || end > BlockColumns.Length) return $"rowStart[{r + 1}] = {end} is out of order or beyond the {BlockColumns.Length} blocks";
            for (uint b = start; b < end; b++)
            {
                if (BlockColumns[(int)b] >= blocksPerRow) return $"block {b} starts at column {BlockColumns[(int)b] * 16}, beyond the {cols} columns";
                if (b > start && BlockColumns[(int)b] <= BlockColumns[(int)b - 1]) return $"block columns of row {r} are not increasing";
            }
        }
        if (RowStart[^1] != BlockColumns.Length) return $"rowStart[rows] = {RowStart[^1]} but there are {BlockColumns.Length} blocks";
        return null;
    }
}
