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

    public void MatVec(ReadOnlySpan<sbyte> w, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        int cols = x.Length;
        if (w.Length < y.Length * cols) throw new ArgumentException("matrix is smaller than rows × columns", nameof(w));
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        ref int yr = ref MemoryMarshal.GetReference(y);
        int r = 0;
        for (; r + 4 <= y.Length; r += 4)
            TDot.Dot4(ref Unsafe.Add(ref wr, r * cols), cols, ref xr, cols, ref Unsafe.Add(ref yr, r));
        for (; r < y.Length; r++)
            y[r] = TDot.Dot(ref Unsafe.Add(ref wr, r * cols), ref xr, cols);
    }

    public void BlockSparseMatVec(BlockSparseLayout w, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        ReadOnlySpan<uint> rowStart = w.RowStart;
        ReadOnlySpan<ushort> columns = w.BlockColumns;
        ref sbyte values = ref MemoryMarshal.GetReference(w.Values);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        if (rowStart.Length != y.Length + 1) throw new ArgumentException("row count differs from the output length", nameof(y));
        for (int r = 0; r < y.Length; r++)
        {
            var sum = Vector128<int>.Zero;
            int end = (int)rowStart[r + 1];
            for (int b = (int)rowStart[r]; b < end; b++)
                sum += TDot.Block16(ref Unsafe.Add(ref values, b * 16), ref Unsafe.Add(ref xr, columns[b] * 16));
            y[r] = Vector128.Sum(sum);
        }
    }

    public void MatMul(ReadOnlySpan<sbyte> w, int cols, ReadOnlySpan<sbyte> x, int count, Span<int> y)
    {
        int rows = y.Length / Math.Max(1, count);
        if (w.Length < rows * cols || x.Length < count * cols || y.Length < count * rows) throw new ArgumentException("operand sizes do not agree");
        ref sbyte wr = ref MemoryMarshal.GetReference(w);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        for (int r = 0; r < rows; r++)
        {
            ref sbyte row = ref Unsafe.Add(ref wr, r * cols); // stays in L1 across the vectors
            for (int b = 0; b < count; b++)
                y[b * rows + r] = TDot.Dot(ref row, ref Unsafe.Add(ref xr, b * cols), cols);
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
