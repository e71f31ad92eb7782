using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>The int8 LSTM kernels built on one instruction set's dot product (<typeparamref name="TDot"/>).</summary>
[SkipLocalsInit]
public sealed class Int8LstmKernels<TDot> : ILstmKernels where TDot : struct, IInt8Dot
{
    public string Name => TDot.Name;

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
        int cols = x.Length;
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        ref int yr = ref MemoryMarshal.GetReference(y);
        ref int sr = ref MemoryMarshal.GetReference(rowSums);
        int r = 0;
        for (; r + 4 <= y.Length; r += 4)
        {
            ref int y4 = ref Unsafe.Add(ref yr, r);
            TDot.Dot4(ref Unsafe.Add(ref wr, r * cols), cols, ref xr, cols, ref y4);
            if (TDot.BiasedActivations)
                (Vector128.LoadUnsafe(ref y4) - (Vector128.LoadUnsafe(ref sr, (nuint)r) << 7)).StoreUnsafe(ref y4);
        }
        for (; r < y.Length; r++)
            y[r] = TDot.Dot(ref Unsafe.Add(ref wr, r * cols), ref xr, cols) - (TDot.BiasedActivations ? rowSums[r] << 7 : 0);
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

    public void BlockSparseMatVec(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        if (w.RowStart.Length != y.Length + 1) throw new ArgumentException("row count differs from the output length", nameof(y));
        if (rowSums.Length < y.Length) throw new ArgumentException("one row sum per row is needed", nameof(rowSums));
        if (!TDot.BiasedActivations)
        {
            SparseRows(w, rowSums, x, y);
            return;
        }
        sbyte[]? rented = null;
        Span<sbyte> biased = x.Length <= StackBytes ? stackalloc sbyte[x.Length] : (rented = ArrayPool<sbyte>.Shared.Rent(x.Length));
        Bias(x, biased);
        SparseRows(w, rowSums, biased[..x.Length], y);
        if (rented is not null) ArrayPool<sbyte>.Shared.Return(rented);
    }

    private static void SparseRows(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        // The layout was validated when the model was loaded (column indices inside the row, row starts
        // increasing), so the loop reads it without bounds checks.
        ref uint rowStart = ref MemoryMarshal.GetReference(w.RowStart);
        ref ushort columns = ref MemoryMarshal.GetReference(w.BlockColumns);
        ref sbyte values = ref MemoryMarshal.GetReference(w.Values);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        for (int r = 0; r < y.Length; r++)
        {
            nint b = (nint)Unsafe.Add(ref rowStart, r), end = (nint)Unsafe.Add(ref rowStart, r + 1);
            // Four partial sums, so a multiply-add with a long latency (vpdpbusd) does not wait on the previous one.
            Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
            if (TDot.HasBlockPairs)
            {
                Vector256<int> p0 = default, p1 = default, p2 = default, p3 = default;
                for (; b + 8 <= end; b += 8)
                {
                    ref sbyte v = ref Unsafe.Add(ref values, b * 16);
                    ref ushort col = ref Unsafe.Add(ref columns, b);
                    p0 = TDot.AccumulateBlockPair(p0, ref v, ref XBlock(ref xr, col), ref XBlock(ref xr, Unsafe.Add(ref col, 1)));
                    p1 = TDot.AccumulateBlockPair(p1, ref Unsafe.Add(ref v, 32), ref XBlock(ref xr, Unsafe.Add(ref col, 2)), ref XBlock(ref xr, Unsafe.Add(ref col, 3)));
                    p2 = TDot.AccumulateBlockPair(p2, ref Unsafe.Add(ref v, 64), ref XBlock(ref xr, Unsafe.Add(ref col, 4)), ref XBlock(ref xr, Unsafe.Add(ref col, 5)));
                    p3 = TDot.AccumulateBlockPair(p3, ref Unsafe.Add(ref v, 96), ref XBlock(ref xr, Unsafe.Add(ref col, 6)), ref XBlock(ref xr, Unsafe.Add(ref col, 7)));
                }
                for (; b + 2 <= end; b += 2)
                    p0 = TDot.AccumulateBlockPair(p0, ref Unsafe.Add(ref values, b * 16),
                        ref XBlock(ref xr, Unsafe.Add(ref columns, b)), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 1)));
                Vector256<int> pairs = (p0 + p1) + (p2 + p3);
                s0 = pairs.GetLower();
                s1 = pairs.GetUpper();
            }
            else
            {
                for (; b + 4 <= end; b += 4)
                {
                    ref sbyte v = ref Unsafe.Add(ref values, b * 16);
                    s0 = TDot.AccumulateBlock16(s0, ref v, ref XBlock(ref xr, Unsafe.Add(ref columns, b)));
                    s1 = TDot.AccumulateBlock16(s1, ref Unsafe.Add(ref v, 16), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 1)));
                    s2 = TDot.AccumulateBlock16(s2, ref Unsafe.Add(ref v, 32), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 2)));
                    s3 = TDot.AccumulateBlock16(s3, ref Unsafe.Add(ref v, 48), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 3)));
                }
            }
            for (; b < end; b++)
                s2 = TDot.AccumulateBlock16(s2, ref Unsafe.Add(ref values, b * 16), ref XBlock(ref xr, Unsafe.Add(ref columns, b)));
            y[r] = Vector128.Sum((s0 + s1) + (s2 + s3)) - (TDot.BiasedActivations ? rowSums[r] << 7 : 0);
        }
    }

    /// <summary>The 16 activations of block column <paramref name="column"/>. Widened before the shift, so the
    /// JIT emits movzx + shl and no sign extension: this address is most of a sparse block's work.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref sbyte XBlock(ref sbyte x, ushort column) => ref Unsafe.Add(ref x, (nuint)column << 4);

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

    public void Logits(ReadOnlySpan<int> acc, ReadOnlySpan<float> scale, float hScale, ReadOnlySpan<float> bias, Span<float> logits) =>
        FloatParts.Logits(TDot.FloatWidth, acc, scale, hScale, bias, logits);
}
