using System.Buffers;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>The int8 LSTM kernels built on one instruction set's dot product (<typeparamref name="TDot"/>).</summary>
[SkipLocalsInit]
public sealed class Int8LstmKernels<TDot> : ILstmKernels where TDot : struct, IInt8Dot
{
    public string Name => TDot.Name;
    public bool NeedsSevenBitWeights => TDot.NeedsSevenBitWeights;

    // Biased activations are prepared on the stack up to this length, else in a pooled array.
    private const int StackBytes = 16 * 1024;

    public void MatVec(ReadOnlySpan<sbyte> w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        int cols = x.Length;
        if (w.Length < y.Length * cols) throw new ArgumentException("matrix is smaller than rows × columns", nameof(w));
        if (rowSums.Length < y.Length) throw new ArgumentException("one row sum per row is needed", nameof(rowSums));
        if (!TDot.BiasedActivations)
        {
            DenseRows(w, rowSums, x, y);
            return;
        }
        sbyte[]? rented = null;
        Span<sbyte> biased = cols <= StackBytes ? stackalloc sbyte[cols] : (rented = ArrayPool<sbyte>.Shared.Rent(cols));
        Bias(x, biased);
        DenseRows(w, rowSums, biased[..cols], y);
        if (rented is not null) ArrayPool<sbyte>.Shared.Return(rented);
    }

    /// <summary>y = W·x; for biased variants each group of four rows has 128·Σw taken off as it is stored.</summary>
    private static void DenseRows(ReadOnlySpan<sbyte> w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        int cols = x.Length, length = (cols + TDot.RowMultiple - 1) / TDot.RowMultiple * TDot.RowMultiple;
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref int yr = ref MemoryMarshal.GetReference(y);
        ref int sr = ref MemoryMarshal.GetReference(rowSums);
        int r = 0;
        if (length != cols && length <= MaxPaddedRow)
        {
            // A row length with a tail (a forecaster's 26 features: 16 in a vector, 10 one by one). Read each row
            // `length` bytes long instead, running into the next row's first bytes, against x padded with zero
            // bytes: the extra products are 0, so the sums are exact, and every row is whole vectors. (A zero byte
            // is also a zero product for the biased variants, whose x bytes are unsigned.) Groups whose padded read
            // would pass the end of w take the plain path below.
            Span<sbyte> padded = stackalloc sbyte[length];
            x.CopyTo(padded);
            padded[cols..].Clear();
            ref sbyte pr = ref MemoryMarshal.GetReference(padded);
            for (; r + 4 <= y.Length && (r + 3) * cols + length <= w.Length; r += 4)
                FourRows(ref Unsafe.Add(ref wr, r * cols), cols, ref pr, length, ref Unsafe.Add(ref yr, r), ref sr, r);
        }
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        for (; r + 4 <= y.Length; r += 4)
            FourRows(ref Unsafe.Add(ref wr, r * cols), cols, ref xr, cols, ref Unsafe.Add(ref yr, r), ref sr, r);
        for (; r < y.Length; r++)
            y[r] = TDot.Dot(ref Unsafe.Add(ref wr, r * cols), ref xr, cols) - (TDot.BiasedActivations ? rowSums[r] << 7 : 0);
    }

    // Longer rows gain little from padding (their tail is a small part) and the padded x lives on the stack.
    private const int MaxPaddedRow = 1024;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRows(ref sbyte w, int stride, ref sbyte x, int length, ref int y4, ref int rowSums, int r)
    {
        TDot.Dot4(ref w, stride, ref x, length, ref y4);
        if (TDot.BiasedActivations)
            (Vector128.LoadUnsafe(ref y4) - (Vector128.LoadUnsafe(ref rowSums, (nuint)r) << 7)).StoreUnsafe(ref y4);
    }

    /// <summary>x + 128 as bytes (flipping the sign bit), for variants whose unsigned operand is the activation.</summary>
    private static void Bias(ReadOnlySpan<sbyte> x, Span<sbyte> biased)
    {
        int j = 0;
        for (; j + Vector128<sbyte>.Count <= x.Length; j += Vector128<sbyte>.Count)
            (Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)j) ^ Vector128.Create(unchecked((sbyte)0x80)))
                .StoreUnsafe(ref MemoryMarshal.GetReference(biased), (nuint)j);
        for (; j < x.Length; j++) biased[j] = (sbyte)(x[j] ^ unchecked((sbyte)0x80));
    }

    public bool HasPanels => TDot.HasPanels;

    public void PanelMatVec(Int8.Int8Panels w, int firstBlock, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        const int block = Int8.Int8Panels.BlockRows;
        if (!TDot.HasPanels) throw new NotSupportedException($"kernels {TDot.Name} have no panel products");
        int first = firstBlock * block;
        if (x.Length != w.Columns || rowSums.Length < y.Length || firstBlock < 0 || first + y.Length > w.Rows || (y.Length % block != 0 && first + y.Length != w.Rows))
            throw new ArgumentException("panel product operands do not match the matrix");
        // x as the variant takes it, padded with zero bytes to whole quads (their weights are zero).
        Span<sbyte> xq = stackalloc sbyte[w.Quads * 4];
        if (TDot.BiasedActivations) Bias(x, xq);
        else x.CopyTo(xq);
        xq[x.Length..].Clear();
        Span<int> partial = stackalloc int[block];
        for (int row = 0, b = firstBlock; row < y.Length; row += block, b++)
        {
            int n = Math.Min(block, y.Length - row);
            Span<int> target = n == block ? y.Slice(row, block) : partial;
            TDot.PanelBlock(ref w.Block(b), ref MemoryMarshal.GetReference(xq), w.Quads, ref MemoryMarshal.GetReference(target));
            if (n < block) partial[..n].CopyTo(y.Slice(row, n));
        }
        if (TDot.BiasedActivations) RemoveBias(rowSums, y);
    }

    /// <summary>y -= 128·rowSums: the biased activations' extra 128·Σw taken off.</summary>
    private static void RemoveBias(ReadOnlySpan<int> rowSums, Span<int> y)
    {
        int r = 0;
        for (; r + 8 <= y.Length; r += 8)
            (Vector256.Create(y[r..]) - (Vector256.Create(rowSums[r..]) << 7)).CopyTo(y[r..]);
        for (; r < y.Length; r++) y[r] -= rowSums[r] << 7;
    }

    public void Int4MatVec(Int4Panels w, int start, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        const int block = Int4Panels.BlockRows;
        if (x.Length != w.Columns || start < 0 || start + y.Length > w.Rows) throw new ArgumentException("int4 product operands do not match the matrix");
        Span<int> corrections = stackalloc int[Int4Products.CorrectionsPerGroup * w.Groups];
        Int4Products.Corrections(x, corrections);
        Span<int> partial = stackalloc int[block];
        for (int row = start; row < start + y.Length;)
        {
            int b = row / block, skip = row - b * block, n = Math.Min(block - skip, start + y.Length - row);
            // A whole block writes its 64 sums in place; the first and last of a range that cuts a block go through a copy.
            Span<int> target = n == block ? y.Slice(row - start, block) : partial;
            TDot.Int4Block(ref w.Block(b), ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(corrections), w.Groups, ref MemoryMarshal.GetReference(target));
            if (n < block) partial.Slice(skip, n).CopyTo(y.Slice(row - start, n));
            row += n;
        }
    }

    public void Int4MatMul(Int4Panels w, ReadOnlySpan<sbyte> x, int count, Span<int> y)
    {
        const int block = Int4Panels.BlockRows;
        int rows = w.Rows, cols = w.Columns, perVector = Int4Products.CorrectionsPerGroup * w.Groups;
        if (x.Length < count * cols || y.Length < count * rows) throw new ArgumentException("int4 product operands do not match the matrix");
        int[]? rented = null;
        Span<int> corrections = count * perVector <= StackBytes / 4 ? stackalloc int[count * perVector] : (rented = ArrayPool<int>.Shared.Rent(count * perVector));
        for (int v = 0; v < count; v++) Int4Products.Corrections(x.Slice(v * cols, cols), corrections.Slice(v * perVector, perVector));
        Span<int> partial = stackalloc int[block];
        // Block after block, every vector against it while its bytes are in L1 (64 rows × 512 columns: 17 KB).
        for (int b = 0; b < w.Blocks; b++)
        {
            int n = Math.Min(block, rows - b * block);
            for (int v = 0; v < count; v++)
            {
                Span<int> target = n == block ? y.Slice(v * rows + b * block, block) : partial;
                TDot.Int4Block(ref w.Block(b), ref MemoryMarshal.GetReference(x.Slice(v * cols)), ref corrections[v * perVector], w.Groups, ref MemoryMarshal.GetReference(target));
                if (n < block) partial[..n].CopyTo(y.Slice(v * rows + b * block, n));
            }
        }
        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
    }

    public void BlockSparseMatVec(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        if (w.RowStart.Length != y.Length + 1) throw new ArgumentException("row count differs from the output length", nameof(y));
        if (rowSums.Length < y.Length) throw new ArgumentException("one row sum per row is needed", nameof(rowSums));
        bool pairs = TDot.HasBlockPairs && !w.PairOffsets.IsEmpty;
        if (pairs && x.Length != w.PairBlockColumns * 16) throw new ArgumentException("x's length differs from the matrix's columns", nameof(x));
        sbyte[]? rented = null;
        int biasedLength = TDot.BiasedActivations ? x.Length : 0;
        Span<sbyte> biased = biasedLength <= StackBytes ? stackalloc sbyte[biasedLength] : (rented = ArrayPool<sbyte>.Shared.Rent(biasedLength));
        scoped ReadOnlySpan<sbyte> xs = x;
        if (TDot.BiasedActivations)
        {
            Bias(x, biased);
            xs = biased[..x.Length];
        }
        Int8BlockSparseProducts<TDot>.MatVec(w, rowSums, xs, y, pairs);
        if (rented is not null) ArrayPool<sbyte>.Shared.Return(rented);
    }


    public void MatMul(ReadOnlySpan<sbyte> w, ReadOnlySpan<int> rowSums, int cols, ReadOnlySpan<sbyte> x, int count, Span<int> y)
    {
        int rows = y.Length / Math.Max(1, count);
        if (w.Length < rows * cols || x.Length < count * cols || y.Length < count * rows) throw new ArgumentException("operand sizes do not agree");
        if (rowSums.Length < rows) throw new ArgumentException("one row sum per row is needed", nameof(rowSums));
        if (!TDot.BiasedActivations)
        {
            MatMulRows(w, rowSums, cols, x, count, y);
            return;
        }
        int n = count * cols;
        sbyte[]? rented = null;
        Span<sbyte> biased = n <= StackBytes ? stackalloc sbyte[n] : (rented = ArrayPool<sbyte>.Shared.Rent(n));
        Bias(x[..n], biased);
        MatMulRows(w, rowSums, cols, biased[..n], count, y);
        if (rented is not null) ArrayPool<sbyte>.Shared.Return(rented);
    }

    private static void MatMulRows(ReadOnlySpan<sbyte> w, ReadOnlySpan<int> rowSums, int cols, ReadOnlySpan<sbyte> x, int count, Span<int> y)
    {
        int rows = y.Length / Math.Max(1, count);
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        ref int yr = ref MemoryMarshal.GetReference(y);
        ref int sr = ref MemoryMarshal.GetReference(rowSums);
        int r = 0;
        // Four rows against every vector in turn: the four rows stay in L1 while the vectors pass (each weight
        // byte comes from L2 once per call), and Dot4 keeps several multiply-add chains in flight.
        for (; r + 4 <= rows; r += 4)
        {
            ref sbyte w4 = ref Unsafe.Add(ref wr, r * cols);
            Vector128<int> correction = TDot.BiasedActivations ? Vector128.LoadUnsafe(ref sr, (nuint)r) << 7 : default;
            int b = 0;
            if (TDot.HasDot4x3 && cols % 32 == 0)
                for (; b + 3 <= count; b += 3)
                {
                    ref int ya = ref Unsafe.Add(ref yr, b * rows + r);
                    ref int yb = ref Unsafe.Add(ref ya, rows);
                    ref int yc = ref Unsafe.Add(ref yb, rows);
                    ref sbyte xa = ref Unsafe.Add(ref xr, b * cols);
                    TDot.Dot4x3(ref w4, cols, ref xa, ref Unsafe.Add(ref xa, cols), ref Unsafe.Add(ref xa, 2 * cols), cols, ref ya, ref yb, ref yc);
                    if (TDot.BiasedActivations)
                    {
                        (Vector128.LoadUnsafe(ref ya) - correction).StoreUnsafe(ref ya);
                        (Vector128.LoadUnsafe(ref yb) - correction).StoreUnsafe(ref yb);
                        (Vector128.LoadUnsafe(ref yc) - correction).StoreUnsafe(ref yc);
                    }
                }
            for (; b < count; b++)
            {
                ref int y4 = ref Unsafe.Add(ref yr, b * rows + r);
                TDot.Dot4(ref w4, cols, ref Unsafe.Add(ref xr, b * cols), cols, ref y4);
                if (TDot.BiasedActivations) (Vector128.LoadUnsafe(ref y4) - correction).StoreUnsafe(ref y4);
            }
        }
        for (; r < rows; r++)
        {
            int correction = TDot.BiasedActivations ? rowSums[r] << 7 : 0;
            ref sbyte row = ref Unsafe.Add(ref wr, r * cols);
            for (int b = 0; b < count; b++)
                y[b * rows + r] = TDot.Dot(ref row, ref Unsafe.Add(ref xr, b * cols), cols) - correction;
        }
    }

    public float Quantize(ReadOnlySpan<float> x, Span<sbyte> q) => FloatParts.Quantize(TDot.FloatWidth, x, q);

    public void QuantizeWithScale(ReadOnlySpan<float> x, Span<sbyte> q, float scale) => FloatParts.QuantizeWithScale(TDot.FloatWidth, x, q, scale);

    public void GateUpdate(ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h) =>
        FloatParts.GateUpdate(TDot.FloatWidth, accIh, accHh, sIh, sHh, bias, xScale, hScale, c, h);

    public void GateUpdate(ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h, int from, int to) =>
        FloatParts.GateUpdate(TDot.FloatWidth, accIh, accHh, sIh, sHh, bias, xScale, hScale, c, h, from, to);

    public void Dequantize(ReadOnlySpan<int> acc, ReadOnlySpan<float> scale, float inputScale, ReadOnlySpan<float> bias, Span<float> y) =>
        FloatParts.Dequantize(TDot.FloatWidth, acc, scale, inputScale, bias, y);
}
