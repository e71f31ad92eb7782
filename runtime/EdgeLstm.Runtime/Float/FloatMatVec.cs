using System.Numerics;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// Float matrix × one or more vectors with a fixed summation order: each row-by-vector dot product sums its
/// vector-wide chunks round-robin into four accumulators, adds them as (a0 + a1) + (a2 + a3), reduces the lanes,
/// then adds the leftover columns one by one. Every stream of a batch is summed exactly so, whether it is alone or
/// paired, so a batch's results are bit-identical to single steps at the same width. Two streams share each
/// weight load (eight independent multiply-add chains); a row is read from memory once for the whole batch.
/// Widths: 512-bit where the CPU has it (the JIT keeps <see cref="Vector{T}"/> at 256 bits there), else
/// <see cref="Vector{T}"/> (256-bit AVX2, 128-bit NEON).
/// </summary>
[SkipLocalsInit]
public static class FloatMatVec
{
    /// <summary>The lanes the default overloads use.</summary>
    public static int BestWidth => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector<float>.Count;

    /// <summary>Every width this CPU runs, best first (tests and benchmarks run each).</summary>
    public static IReadOnlyList<int> SupportedWidths => BestWidth == Vector<float>.Count ? [BestWidth] : [BestWidth, Vector<float>.Count];

    /// <summary>y[r] += Σ_j w[r, j] · x[j] for a row-major [y.Length, x.Length] matrix.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y) =>
        MultiplyAdd(w, x, x.Length, 1, y, y.Length, BestWidth);

    /// <summary>
    /// outputs[b·rows + r] += Σ_j w[r, j] · inputs[b·cols + j] for each of <paramref name="count"/> vectors b,
    /// w row-major [rows, cols], summed with <paramref name="width"/> lanes (one of <see cref="SupportedWidths"/>).
    /// </summary>
    public static void MultiplyAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> inputs, int cols, int count, Span<float> outputs, int rows, int width)
    {
        if (w.Length < (long)rows * cols || inputs.Length < (long)count * cols || outputs.Length < (long)count * rows)
            throw new ArgumentException($"a [{rows}, {cols}] matrix times {count} vectors needs {rows * cols} weights, {count * cols} inputs and {count * rows} outputs");
        if (width == Vector512<float>.Count && Vector512.IsHardwareAccelerated)
            Rows<Lanes512, Vector512<float>>(w, inputs, cols, count, outputs, rows);
        else if (width == Vector<float>.Count)
            Rows<LanesVector, Vector<float>>(w, inputs, cols, count, outputs, rows);
        else
            throw new ArgumentOutOfRangeException(nameof(width), width, $"this CPU sums floats {string.Join(" or ", SupportedWidths)} lanes wide");
    }

    /// <inheritdoc cref="MultiplyAdd(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, Span{float}, int, int)"/>
    public static void MultiplyAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> inputs, int cols, int count, Span<float> outputs, int rows) =>
        MultiplyAdd(w, inputs, cols, count, outputs, rows, BestWidth);

    private static void Rows<TLanes, TVec>(ReadOnlySpan<float> w, ReadOnlySpan<float> inputs, int cols, int count, Span<float> outputs, int rows)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float xr = ref MemoryMarshal.GetReference(inputs);
        ref float yr = ref MemoryMarshal.GetReference(outputs);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref wr, r * cols);
            int b = 0;
            for (; b + 2 <= count; b += 2)
            {
                var (s0, s1) = Dot2<TLanes, TVec>(ref row, ref Unsafe.Add(ref xr, b * cols), ref Unsafe.Add(ref xr, (b + 1) * cols), cols);
                Unsafe.Add(ref yr, b * rows + r) += s0;
                Unsafe.Add(ref yr, (b + 1) * rows + r) += s1;
            }
            if (b < count) Unsafe.Add(ref yr, b * rows + r) += Dot1<TLanes, TVec>(ref row, ref Unsafe.Add(ref xr, b * cols), cols);
        }
    }

    private static float Dot1<TLanes, TVec>(ref float w, ref float x, int cols) where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int width = TLanes.Count, j = 0;
        TVec a0 = default, a1 = default, a2 = default, a3 = default;
        for (; j + 4 * width <= cols; j += 4 * width)
        {
            a0 = TLanes.Fma(TLanes.Load(ref w, j), TLanes.Load(ref x, j), a0);
            a1 = TLanes.Fma(TLanes.Load(ref w, j + width), TLanes.Load(ref x, j + width), a1);
            a2 = TLanes.Fma(TLanes.Load(ref w, j + 2 * width), TLanes.Load(ref x, j + 2 * width), a2);
            a3 = TLanes.Fma(TLanes.Load(ref w, j + 3 * width), TLanes.Load(ref x, j + 3 * width), a3);
        }
        // Leftover whole chunks continue the round-robin: a0, then a1, then a2.
        if (j + width <= cols) { a0 = TLanes.Fma(TLanes.Load(ref w, j), TLanes.Load(ref x, j), a0); j += width; }
        if (j + width <= cols) { a1 = TLanes.Fma(TLanes.Load(ref w, j), TLanes.Load(ref x, j), a1); j += width; }
        if (j + width <= cols) { a2 = TLanes.Fma(TLanes.Load(ref w, j), TLanes.Load(ref x, j), a2); j += width; }
        float sum = TLanes.Sum(TLanes.Add(TLanes.Add(a0, a1), TLanes.Add(a2, a3)));
        for (; j < cols; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    /// <summary>Two vectors against one row, each summed exactly as <see cref="Dot1"/> sums it.</summary>
    private static (float, float) Dot2<TLanes, TVec>(ref float w, ref float x, ref float z, int cols) where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int width = TLanes.Count, j = 0;
        TVec a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        for (; j + 4 * width <= cols; j += 4 * width)
        {
            TVec w0 = TLanes.Load(ref w, j);
            a0 = TLanes.Fma(w0, TLanes.Load(ref x, j), a0);
            b0 = TLanes.Fma(w0, TLanes.Load(ref z, j), b0);
            TVec w1 = TLanes.Load(ref w, j + width);
            a1 = TLanes.Fma(w1, TLanes.Load(ref x, j + width), a1);
            b1 = TLanes.Fma(w1, TLanes.Load(ref z, j + width), b1);
            TVec w2 = TLanes.Load(ref w, j + 2 * width);
            a2 = TLanes.Fma(w2, TLanes.Load(ref x, j + 2 * width), a2);
            b2 = TLanes.Fma(w2, TLanes.Load(ref z, j + 2 * width), b2);
            TVec w3 = TLanes.Load(ref w, j + 3 * width);
            a3 = TLanes.Fma(w3, TLanes.Load(ref x, j + 3 * width), a3);
            b3 = TLanes.Fma(w3, TLanes.Load(ref z, j + 3 * width), b3);
        }
        if (j + width <= cols)
        {
            TVec wv = TLanes.Load(ref w, j);
            a0 = TLanes.Fma(wv, TLanes.Load(ref x, j), a0);
            b0 = TLanes.Fma(wv, TLanes.Load(ref z, j), b0);
            j += width;
        }
        if (j + width <= cols)
        {
            TVec wv = TLanes.Load(ref w, j);
            a1 = TLanes.Fma(wv, TLanes.Load(ref x, j), a1);
            b1 = TLanes.Fma(wv, TLanes.Load(ref z, j), b1);
            j += width;
        }
        if (j + width <= cols)
        {
            TVec wv = TLanes.Load(ref w, j);
            a2 = TLanes.Fma(wv, TLanes.Load(ref x, j), a2);
            b2 = TLanes.Fma(wv, TLanes.Load(ref z, j), b2);
            j += width;
        }
        float sx = TLanes.Sum(TLanes.Add(TLanes.Add(a0, a1), TLanes.Add(a2, a3)));
        float sz = TLanes.Sum(TLanes.Add(TLanes.Add(b0, b1), TLanes.Add(b2, b3)));
        for (; j < cols; j++)
        {
            float wj = Unsafe.Add(ref w, j);
            sx += wj * Unsafe.Add(ref x, j);
            sz += wj * Unsafe.Add(ref z, j);
        }
        return (sx, sz);
    }

    /// <summary>One vector width's operations (operator struct: the generic code above is specialised per width).</summary>
    private interface IFloatLanes<TVec> where TVec : struct
    {
        static abstract int Count { get; }
        static abstract TVec Load(ref float p, int offset);
        static abstract TVec Fma(TVec a, TVec b, TVec c);
        static abstract TVec Add(TVec a, TVec b);
        static abstract float Sum(TVec v);
    }

    private readonly struct Lanes512 : IFloatLanes<Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float p, int offset) => Vector512.LoadUnsafe(ref p, (nuint)offset);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    }

    private readonly struct LanesVector : IFloatLanes<Vector<float>>
    {
        public static int Count => Vector<float>.Count;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Load(ref float p, int offset) => Vector.LoadUnsafe(ref p, (nuint)offset);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Fma(Vector<float> a, Vector<float> b, Vector<float> c) => Vector.FusedMultiplyAdd(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Add(Vector<float> a, Vector<float> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(Vector<float> v) => Vector.Sum(v);
    }
}
