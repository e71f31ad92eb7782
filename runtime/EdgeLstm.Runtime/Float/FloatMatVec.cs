using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float matrix (<see cref="PackedFloatMatrix"/>) × one or more vectors with one fixed summation order: each
/// output starts from the value it holds and adds w[r, j]·x[j] for j = 0, 1, … one fused multiply-add at a time.
/// Rows sit in vector lanes, so a dot product never needs a horizontal sum, and the order does not depend on the
/// vector width, the number of vectors or which rows share a loop — a batch gives the same bits as single steps,
/// every width the same bits as every other (and as scalar fused multiply-adds). Independent chains come from
/// rows and vectors: eight row slices at a time for one vector, four (or two) slices × four vectors for more (each
/// weight load serving four), so the FMA units stay busy despite each chain's latency. Allocates nothing.
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
        const int group = PackedFloatMatrix.GroupRows;
        int n = TLanes.Count, rows = w.Rows, cols = w.Cols, whole = rows / group * group, quads = count / 4;
        ref float panels = ref MemoryMarshal.GetArrayDataReference(w.Panels);
        ref float x = ref MemoryMarshal.GetReference(inputs);
        ref float y = ref MemoryMarshal.GetReference(outputs);
        // Slices outside, vectors inside: the slices stay in L1 or L2 while every quad of vectors passes. Four slices
        // (16 accumulators) where the CPU has 32 vector registers, two (8) where it has 16.
        if (ThirtyTwoRegisters)
            for (int r = 0; r < whole; r += 4 * n)
                for (int b = 0; b < 4 * quads; b += 4)
                    FourSlicesFourVectors<TLanes, TVec>(ref Unsafe.Add(ref panels, w.RowStart(r)), cols, ref Unsafe.Add(ref x, b * cols), ref Unsafe.Add(ref y, b * rows + r), rows);
        else
            for (int r = 0; r < whole; r += 2 * n)
                for (int b = 0; b < 4 * quads; b += 4)
                    TwoSlicesFourVectors<TLanes, TVec>(ref Unsafe.Add(ref panels, w.RowStart(r)), cols, ref Unsafe.Add(ref x, b * cols), ref Unsafe.Add(ref y, b * rows + r), rows);
        for (int b = 4 * quads; b < count; b++)
            for (int r = 0; r < whole; r += 8 * n)
                EightSlices<TLanes, TVec>(ref Unsafe.Add(ref panels, w.RowStart(r)), cols, ref Unsafe.Add(ref x, b * cols), ref Unsafe.Add(ref y, b * rows + r));
        if (whole == rows) return;
        // A partial last group, vector by vector, through a copy of its outputs padded to the whole group (the
        // padding rows' weights are zero, and their sums are dropped).
        Span<float> padded = stackalloc float[group];
        for (int b = 0; b < count; b++)
        {
            Span<float> tail = outputs.Slice(b * rows + whole, rows - whole);
            padded.Clear();
            tail.CopyTo(padded);
            for (int r = 0; r < group; r += 8 * n)
                EightSlices<TLanes, TVec>(ref Unsafe.Add(ref panels, w.RowStart(whole) + r), cols, ref Unsafe.Add(ref x, b * cols), ref padded[r]);
            padded[..tail.Length].CopyTo(tail);
        }
    }

    /// <summary>
    /// Eight slices of <see cref="IFloatLanes{T}.Count"/> rows, one after another in a group (<paramref name="q"/> at
    /// the first one's column 0), against one vector; <paramref name="y"/> at the first one's output.
    /// </summary>
    private static void EightSlices<TLanes, TVec>(ref float q, int cols, ref float x, ref float y)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        const int stride = PackedFloatMatrix.GroupRows;
        int n = TLanes.Count;
        TVec a0 = TLanes.Load(ref y, 0), a1 = TLanes.Load(ref y, n), a2 = TLanes.Load(ref y, 2 * n), a3 = TLanes.Load(ref y, 3 * n);
        TVec a4 = TLanes.Load(ref y, 4 * n), a5 = TLanes.Load(ref y, 5 * n), a6 = TLanes.Load(ref y, 6 * n), a7 = TLanes.Load(ref y, 7 * n);
        for (int j = 0; j < cols; j++)
        {
            TVec xj = TLanes.Create(Unsafe.Add(ref x, j));
            a0 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 0), xj, a0);
            a1 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, n), xj, a1);
            a2 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 2 * n), xj, a2);
            a3 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 3 * n), xj, a3);
            a4 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 4 * n), xj, a4);
            a5 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 5 * n), xj, a5);
            a6 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 6 * n), xj, a6);
            a7 = TLanes.FusedMultiplyAdd(TLanes.Load(ref q, 7 * n), xj, a7);
            q = ref Unsafe.Add(ref q, stride);
        }
        TLanes.Store(a0, ref y, 0); TLanes.Store(a1, ref y, n); TLanes.Store(a2, ref y, 2 * n); TLanes.Store(a3, ref y, 3 * n);
        TLanes.Store(a4, ref y, 4 * n); TLanes.Store(a5, ref y, 5 * n); TLanes.Store(a6, ref y, 6 * n); TLanes.Store(a7, ref y, 7 * n);
    }

    /// <summary>AVX-512 and ARM64 have 32 vector registers, room for <see cref="FourSlicesFourVectors{TLanes, TVec}"/>'s 21.</summary>
    private static readonly bool ThirtyTwoRegisters = Avx512F.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>
    /// Four slices against four vectors, as <see cref="TwoSlicesFourVectors{TLanes, TVec}"/>: sixteen independent
    /// chains keep two FMA units busy through their latency (a [512, 64–512] matrix times 64 vectors ran at about 80
    /// instead of 50–70 GMAC/s at 16 lanes on an AVX-512 Xeon).
    /// </summary>
    private static void FourSlicesFourVectors<TLanes, TVec>(ref float q, int cols, ref float x, ref float y, int rows)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        const int stride = PackedFloatMatrix.GroupRows;
        int n = TLanes.Count;
        // Vector k's input at x + k·cols, its outputs at y + k·rows; slice s's lanes at + s·n.
        ref float y1 = ref Unsafe.Add(ref y, rows);
        ref float y2 = ref Unsafe.Add(ref y1, rows);
        ref float y3 = ref Unsafe.Add(ref y2, rows);
        TVec a0 = TLanes.Load(ref y, 0), b0 = TLanes.Load(ref y, n), c0 = TLanes.Load(ref y, 2 * n), d0 = TLanes.Load(ref y, 3 * n);
        TVec a1 = TLanes.Load(ref y1, 0), b1 = TLanes.Load(ref y1, n), c1 = TLanes.Load(ref y1, 2 * n), d1 = TLanes.Load(ref y1, 3 * n);
        TVec a2 = TLanes.Load(ref y2, 0), b2 = TLanes.Load(ref y2, n), c2 = TLanes.Load(ref y2, 2 * n), d2 = TLanes.Load(ref y2, 3 * n);
        TVec a3 = TLanes.Load(ref y3, 0), b3 = TLanes.Load(ref y3, n), c3 = TLanes.Load(ref y3, 2 * n), d3 = TLanes.Load(ref y3, 3 * n);
        for (int j = 0; j < cols; j++)
        {
            TVec v = TLanes.Load(ref q, 0), u = TLanes.Load(ref q, n), t = TLanes.Load(ref q, 2 * n), s = TLanes.Load(ref q, 3 * n);
            TVec e = TLanes.Create(Unsafe.Add(ref x, j));
            a0 = TLanes.FusedMultiplyAdd(v, e, a0); b0 = TLanes.FusedMultiplyAdd(u, e, b0); c0 = TLanes.FusedMultiplyAdd(t, e, c0); d0 = TLanes.FusedMultiplyAdd(s, e, d0);
            e = TLanes.Create(Unsafe.Add(ref x, cols + j));
            a1 = TLanes.FusedMultiplyAdd(v, e, a1); b1 = TLanes.FusedMultiplyAdd(u, e, b1); c1 = TLanes.FusedMultiplyAdd(t, e, c1); d1 = TLanes.FusedMultiplyAdd(s, e, d1);
            e = TLanes.Create(Unsafe.Add(ref x, 2 * cols + j));
            a2 = TLanes.FusedMultiplyAdd(v, e, a2); b2 = TLanes.FusedMultiplyAdd(u, e, b2); c2 = TLanes.FusedMultiplyAdd(t, e, c2); d2 = TLanes.FusedMultiplyAdd(s, e, d2);
            e = TLanes.Create(Unsafe.Add(ref x, 3 * cols + j));
            a3 = TLanes.FusedMultiplyAdd(v, e, a3); b3 = TLanes.FusedMultiplyAdd(u, e, b3); c3 = TLanes.FusedMultiplyAdd(t, e, c3); d3 = TLanes.FusedMultiplyAdd(s, e, d3);
            q = ref Unsafe.Add(ref q, stride);
        }
        TLanes.Store(a0, ref y, 0); TLanes.Store(b0, ref y, n); TLanes.Store(c0, ref y, 2 * n); TLanes.Store(d0, ref y, 3 * n);
        TLanes.Store(a1, ref y1, 0); TLanes.Store(b1, ref y1, n); TLanes.Store(c1, ref y1, 2 * n); TLanes.Store(d1, ref y1, 3 * n);
        TLanes.Store(a2, ref y2, 0); TLanes.Store(b2, ref y2, n); TLanes.Store(c2, ref y2, 2 * n); TLanes.Store(d2, ref y2, 3 * n);
        TLanes.Store(a3, ref y3, 0); TLanes.Store(b3, ref y3, n); TLanes.Store(c3, ref y3, 2 * n); TLanes.Store(d3, ref y3, 3 * n);
    }

    /// <summary>
    /// Two slices (<paramref name="q"/> at the first one's column 0) against four vectors (one after another from
    /// <paramref name="x"/>; their outputs <paramref name="rows"/> apart from <paramref name="y"/>), each weight
    /// load used four times: whole-sequence projections, where weights would otherwise be re-read from L2 for every
    /// vector. Two slices of a 256-wide row are 32 KB, which stay in L1 across the quads.
    /// </summary>
    private static void TwoSlicesFourVectors<TLanes, TVec>(ref float q, int cols, ref float x, ref float y, int rows)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        const int stride = PackedFloatMatrix.GroupRows;
        int n = TLanes.Count;
        ref float x1 = ref Unsafe.Add(ref x, cols);
        ref float x2 = ref Unsafe.Add(ref x, 2 * cols);
        ref float x3 = ref Unsafe.Add(ref x, 3 * cols);
        nint v1 = rows, v2 = 2 * rows, v3 = 3 * rows;
        TVec a0 = TLanes.Load(ref y, 0), a1 = TLanes.Load(ref y, v1), a2 = TLanes.Load(ref y, v2), a3 = TLanes.Load(ref y, v3);
        TVec b0 = TLanes.Load(ref y, n), b1 = TLanes.Load(ref y, v1 + n), b2 = TLanes.Load(ref y, v2 + n), b3 = TLanes.Load(ref y, v3 + n);
        for (int j = 0; j < cols; j++)
        {
            TVec v = TLanes.Load(ref q, 0), u = TLanes.Load(ref q, n);
            TVec e0 = TLanes.Create(Unsafe.Add(ref x, j)), e1 = TLanes.Create(Unsafe.Add(ref x1, j));
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
        TLanes.Store(a0, ref y, 0); TLanes.Store(a1, ref y, v1); TLanes.Store(a2, ref y, v2); TLanes.Store(a3, ref y, v3);
        TLanes.Store(b0, ref y, n); TLanes.Store(b1, ref y, v1 + n); TLanes.Store(b2, ref y, v2 + n); TLanes.Store(b3, ref y, v3 + n);
    }
}
