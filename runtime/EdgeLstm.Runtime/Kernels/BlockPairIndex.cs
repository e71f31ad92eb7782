using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// Derived at load from a block-sparse matrix, for the sparse kernels: each row's kept blocks taken two at a
/// time, each pair named by where its 32 activation bytes sit in a per-product table holding x's 16-byte slices
/// c0 and c1 side by side for every c0 &lt; c1 (<see cref="BuildTable"/>). A pair then costs one index load, one
/// 32-byte table load and one 32-byte multiply-add, where gathering its two slices from x costs two index loads,
/// two shifts, a load and an insert.
/// </summary>
public sealed class BlockPairIndex
{
    /// <summary>
    /// The table for 32 block columns (512 inputs) is 15.5 KB, on the stack and in L1; wider matrices use the
    /// gather path (64 columns would need 64.5 KB: more than L1, and too much stack for a host's small threads).
    /// </summary>
    public const int MaxBlockColumns = 32;

    private BlockPairIndex(int blockColumns, uint[] pairStart, ushort[] pairOffsets, int uniformPairs)
    {
        BlockColumns = blockColumns;
        UniformPairs = uniformPairs;
        PairStart = pairStart;
        PairOffsets = pairOffsets;
    }

    /// <summary>Columns / 16 of the matrix (x's slice count).</summary>
    public int BlockColumns { get; }
    /// <summary>Row r's pairs are PairOffsets[PairStart[r] .. PairStart[r + 1]); an odd last block is not in a pair.</summary>
    public uint[] PairStart { get; }
    /// <summary>Byte offset of each pair's 32 activation bytes in the table.</summary>
    public ushort[] PairOffsets { get; }
    /// <summary>
    /// n when every row keeps exactly 2n blocks (<c>--prune block:F:row</c>), else 0: the kernels then walk four
    /// rows at a time with nothing per row to look up.
    /// </summary>
    public int UniformPairs { get; }

    public static int TableBytes(int blockColumns) => blockColumns * (blockColumns - 1) / 2 * 32;

    /// <summary>Null when the matrix is too wide for a table on the stack.</summary>
    public static BlockPairIndex? Build(BlockSparseLayout w, int columns)
    {
        int c = columns / ModelFileLayout.BlockWidth;
        if (c > MaxBlockColumns || c < 2) return null;
        int rows = w.RowStart.Length - 1;
        var pairStart = new uint[rows + 1];
        var offsets = new List<ushort>(w.BlockColumns.Length / 2);
        for (int r = 0; r < rows; r++)
        {
            pairStart[r] = (uint)offsets.Count;
            int end = (int)w.RowStart[r + 1];
            for (int b = (int)w.RowStart[r]; b + 2 <= end; b += 2)
                offsets.Add((ushort)(TableIndex(w.BlockColumns[b], w.BlockColumns[b + 1], c) * 32));
        }
        pairStart[rows] = (uint)offsets.Count;
        int uniform = rows > 0 && w.RowStart[1] - w.RowStart[0] is var first && first % 2 == 0 ? (int)first / 2 : 0;
        for (int r = 0; r < rows && uniform > 0; r++)
            if (w.RowStart[r + 1] - w.RowStart[r] != 2 * uniform) uniform = 0;
        return new BlockPairIndex(c, pairStart, offsets.ToArray(), uniform);
    }

    /// <summary>The entries for c0 &lt; c1 in order (0,1), (0,2) … (0,C−1), (1,2) …: C(C−1)/2 of them.</summary>
    private static int TableIndex(int c0, int c1, int c) => c0 * (2 * c - c0 - 1) / 2 + (c1 - c0 - 1);

    /// <summary>Writes x's slices c0 and c1 side by side for every c0 &lt; c1, in <see cref="TableIndex"/> order.</summary>
    public static void BuildTable(ReadOnlySpan<sbyte> x, Span<sbyte> table)
    {
        int c = x.Length / ModelFileLayout.BlockWidth;
        if (table.Length < TableBytes(c)) throw new ArgumentException("the pair table is too small", nameof(table));
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        ref sbyte tr = ref MemoryMarshal.GetReference(table);
        nuint at = 0;
        for (int c0 = 0; c0 < c; c0++)
        {
            Vector128<sbyte> first = Vector128.LoadUnsafe(ref xr, (nuint)c0 * 16);
            for (int c1 = c0 + 1; c1 < c; c1++, at += 32)
                Vector256.Create(first, Vector128.LoadUnsafe(ref xr, (nuint)c1 * 16)).StoreUnsafe(ref tr, at);
        }
    }
}
