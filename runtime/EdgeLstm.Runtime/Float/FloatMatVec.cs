using System.Runtime.Intrinsics.X86;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float matrix (<see cref="PackedFloatMatrix"/>) × one or more vectors with one fixed summation order: each
/// output starts from the value it holds and adds w[r, j]·x[j] for j = 0, 1, … one fused multiply-add at a time.
/// Rows sit in vector lanes, so a dot product never needs a horizontal sum, and the order does not depend on the
/// vector width, the number of vectors or which rows share a loop — a batch gives the same bits as single steps,
/// every width the same bits as every other (and as scalar fused multiply-adds). Independent chains come from
/// rows and vectors: eight row slices at a time for one vector, two slices × four vectors for more (each weight
/// load serving four), so the FMA units stay busy despite each chain's latency. Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class FloatMatVec
{
    /// <summary>The lanes the default overloads use.</summary>
    public static int BestWidth => Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    /// <summary>Every width this CPU runs, best first (tests run each; all give the same bits).</summary>
    public static IReadOnlyList<int> SupportedWidths => BestWidth switch { 16 => [16, 8, 4], 8 => [8, 4], _ => [4] };

    /// <summary>y[r] += Σ_j w[r, j] · x[j].</summary>
    public static void MultiplyAdd(PackedFloatMatrix w, ReadOnlySpan<float> x, Span<float> y) => MultiplyAdd(w, x, 1, y, BestWidth);

    /// <summary>outputs[b·rows + r] += Σ_j w[r, j] · inputs[b·cols + j] for each of <paramref name="count"/> vectors b.</summary>
    public static void MultiplyAdd(PackedFloatMatrix w, ReadOnlySpan<float> inputs, int count, Span<float> outputs) =>
        MultiplyAdd(w, inputs, count, outputs, BestWidth);

    /// <inheritdoc cref="MultiplyAdd(PackedFloatMatrix, ReadOnlySpan{float}, int, Span{float})"/>
    /// <param name="width">Float lanes to run with, one of <see cref="SupportedWidths"/>.</param>
    public static void MultiplyAdd(PackedFloatMatrix w, ReadOnlySpan<float> inputs, int count, Span<float> outputs, int width)
    {
        if (inputs.Length < (long)count * w.Cols || outputs.Length < (long)count * w.Rows)
            throw new ArgumentException($"a [{w.Rows}, {w.Cols}] matrix times {count} vectors needs {count * w.Cols} inputs and {count * w.Rows} outputs");
        if (width == 16 && Vector512.IsHardwareAccelerated) Product<FloatLanes512, Vector512<float>>(w, inputs, count, outputs);
        else if (width == 8 && Vector256.IsHardwareAccelerated) Product<FloatLanes256, Vector256<float>>(w, inputs, count, outputs);
        else if (width == 4) Product<FloatLanes128, Vector128<float>>(w, inputs, count, outputs);
        else throw new ArgumentOutOfRangeException(nameof(width), width, $"this CPU sums floats {string.Join(" or ", SupportedWidths)} lanes wide");
    }

    private static void Product<TLanes, TVec>(PackedFloatMatrix w, ReadOnlySpan<float> inputs, int count, Span<float> outputs)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int rows = w.Rows, cols = w.Cols, slices = rows / TLanes.Count, quads = count / 4;
        // Slices outside, vectors inside: a pair of slices stays in L1 while every quad of vectors passes.
        for (int s = 0; s < slices; s += 2)
            for (int b = 0; b < 4 * quads; b += 4)
                TwoSlicesFourVectors<TLanes, TVec>(w, s, slices - 1, inputs.Slice(b * cols, 4 * cols), outputs.Slice(b * rows, 4 * rows));
        for (int b = 4 * quads; b < count; b++)
            for (int s = 0; s < slices; s += 8)
                EightSlices<TLanes, TVec>(w, s, slices - 1, inputs.Slice(b * cols, cols), outputs.Slice(b * rows, rows));
        if (slices * TLanes.Count < rows)
            for (int b = 0; b < count; b++) LastRows<TLanes, TVec>(w, inputs.Slice(b * cols, cols), outputs.Slice(b * rows, rows));
    }

    /// <summary>
    /// Slices s … s + 7 (of <see cref="IFloatLanes{T}.Count"/> rows each) against one vector. Slots past the last
    /// slice repeat it: they compute and store the same values, so one loop serves any remainder. The eight are in
    /// one group of the packed matrix (s is a multiple of 8), so one ref walks their columns and reaches each slot
    /// at a fixed distance.
    /// </summary>
    private static void EightSlices<TLanes, TVec>(PackedFloatMatrix w, int s, int last, ReadOnlySpan<float> x, Span<float> y)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int n = TLanes.Count, cols = w.Cols;
        int r0 = s * n, r1 = Math.Min(s + 1, last) * n, r2 = Math.Min(s + 2, last) * n, r3 = Math.Min(s + 3, last) * n;
        int r4 = Math.Min(s + 4, last) * n, r5 = Math.Min(s + 5, last) * n, r6 = Math.Min(s + 6, last) * n, r7 = Math.Min(s + 7, last) * n;
        int o0 = w.RowStart(r0), stride = w.ColumnStride(r0);
        nint d1 = r1 - r0, d2 = r2 - r0, d3 = r3 - r0, d4 = r4 - r0, d5 = r5 - r0, d6 = r6 - r0, d7 = r7 - r0;
        // The slots' columns eight columns ahead are fetched into L1 as the loop goes: W_hh at hidden 128 (256 KB,
        // from L2) took 3.4 instead of 4.2 µs a step so (`bench runner-profile 128`); the hardware prefetchers alone
        // left the loads waiting.
        nint ahead = 8 * (nint)stride;
        int span = (r7 - r0 + n) * sizeof(float);
        ref float q = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w.Panels), o0);
        ref float xr = ref MemoryMarshal.GetReference(x);
        TVec a0 = TLanes.Load(y, r0), a1 = TLanes.Load(y, r1), a2 = TLanes.Load(y, r2), a3 = TLanes.Load(y, r3);
        TVec a4 = TLanes.Load(y, r4), a5 = TLanes.Load(y, r5), a6 = TLanes.Load(y, r6), a7 = TLanes.Load(y, r7);
        for (int j = 0; j < cols; j++)
        {
            TVec xj = TLanes.Create(Unsafe.Add(ref xr, j));
            a0 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 0), xj, a0);
            a1 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d1), xj, a1);
            a2 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d2), xj, a2);
            a3 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d3), xj, a3);
            a4 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d4), xj, a4);
            a5 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d5), xj, a5);
            a6 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d6), xj, a6);
            a7 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, d7), xj, a7);
            if (Sse.IsSupported) Prefetch(ref Unsafe.Add(ref q, ahead), span);
            q = ref Unsafe.Add(ref q, stride);
        }
        TLanes.Store(a0, y, r0); TLanes.Store(a1, y, r1); TLanes.Store(a2, y, r2); TLanes.Store(a3, y, r3);
        TLanes.Store(a4, y, r4); TLanes.Store(a5, y, r5); TLanes.Store(a6, y, r6); TLanes.Store(a7, y, r7);
    }

    /// <summary>
    /// Asks for the cache lines of [p, p + bytes) (x64). A prefetch never faults, so an address past the matrix or
    /// left stale by the GC moving the array costs nothing but a wasted fetch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(ref float p, int bytes)
    {
        byte* b = (byte*)Unsafe.AsPointer(ref p);
        for (int i = 0; i < bytes; i += 64) Sse.Prefetch0(b + i);
    }

    /// <summary>
    /// Slices s and s + 1 against four vectors (one after another in <paramref name="inputs"/>, their outputs
    /// likewise), each weight load used four times: whole-sequence projections, where weights would otherwise be
    /// re-read from L2 for every vector. Two slices of a 256-wide row are 32 KB, which stay in L1 across the quads.
    /// </summary>
    private static void TwoSlicesFourVectors<TLanes, TVec>(PackedFloatMatrix w, int s, int last, ReadOnlySpan<float> inputs, Span<float> outputs)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int n = TLanes.Count, cols = w.Cols, rows = w.Rows;
        int r0 = s * n, r1 = Math.Min(s + 1, last) * n, stride = w.ColumnStride(r0);
        nint d1 = r1 - r0;
        ref float q = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w.Panels), w.RowStart(r0));
        ref float x0 = ref MemoryMarshal.GetReference(inputs);
        ref float x1 = ref Unsafe.Add(ref x0, cols);
        ref float x2 = ref Unsafe.Add(ref x0, 2 * cols);
        ref float x3 = ref Unsafe.Add(ref x0, 3 * cols);
        TVec a0 = TLanes.Load(outputs, r0), a1 = TLanes.Load(outputs, rows + r0), a2 = TLanes.Load(outputs, 2 * rows + r0), a3 = TLanes.Load(outputs, 3 * rows + r0);
        TVec b0 = TLanes.Load(outputs, r1), b1 = TLanes.Load(outputs, rows + r1), b2 = TLanes.Load(outputs, 2 * rows + r1), b3 = TLanes.Load(outputs, 3 * rows + r1);
        for (int j = 0; j < cols; j++)
        {
            TVec v = TLanes.Load(ref q, 0), u = TLanes.Load(ref q, d1);
            TVec e0 = TLanes.Create(Unsafe.Add(ref x0, j)), e1 = TLanes.Create(Unsafe.Add(ref x1, j));
            a0 = TLanes.FusedMultiplyAdd(v, e0, a0);
            b0 = TLanes.FusedMultiplyAdd(u, e0, b0);
            a1 = TLanes.FusedMultiplyAdd(v, e1, a1);
            b1 = TLanes.FusedMultiplyAdd(u, e1, b1);
            TVec e2 = TLanes.Create(Unsafe.Add(ref x2, j)), e3 = TLanes.Create(Unsafe.Add(ref x3, j));
            a2 = TLanes.FusedMultiplyAdd(v, e2, a2);
            b2 = TLanes.FusedMultiplyAdd(u, e2, b2);
            a3 = TLanes.FusedMultiplyAdd(v, e3, a3);
            b3 = TLanes.FusedMultiplyAdd(u, e3, b3);
            q = ref Unsafe.Add(ref q, stride);
        }
        TLanes.Store(a0, outputs, r0); TLanes.Store(a1, outputs, rows + r0); TLanes.Store(a2, outputs, 2 * rows + r0); TLanes.Store(a3, outputs, 3 * rows + r0);
        TLanes.Store(b0, outputs, r1); TLanes.Store(b1, outputs, rows + r1); TLanes.Store(b2, outputs, 2 * rows + r1); TLanes.Store(b3, outputs, 3 * rows + r1);
    }

    /// <summary>The rows after the last whole slice, through a zero-padded copy of their outputs (the panel's missing rows are zero weights).</summary>
    private static void LastRows<TLanes, TVec>(PackedFloatMatrix w, ReadOnlySpan<float> x, Span<float> y)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int first = w.Rows / TLanes.Count * TLanes.Count, count = w.Rows - first, o = w.RowStart(first), stride = w.ColumnStride(first);
        ReadOnlySpan<float> p = w.Panels;
        Span<float> padded = stackalloc float[PackedFloatMatrix.PanelRows];
        padded.Clear();
        y.Slice(first, count).CopyTo(padded);
        TVec a = TLanes.Load(padded, 0);
        for (int j = 0, c = 0; j < w.Cols; j++, c += stride) a = TLanes.FusedMultiplyAdd(TLanes.Load(p, o + c), TLanes.Create(x[j]), a);
        TLanes.Store(a, padded, 0);
        padded[..count].CopyTo(y.Slice(first, count));
    }
}
