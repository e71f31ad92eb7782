using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// Float matrix × one or more vectors with a fixed summation order: each row-by-vector dot product sums its
/// <see cref="Vector{T}"/>-wide chunks round-robin into four accumulators, adds them as (a0 + a1) + (a2 + a3),
/// reduces the lanes, then adds the leftover columns one by one. Every stream of a batch is summed exactly so,
/// whether it is alone or paired, so a batch's results are bit-identical to single steps. Two streams share
/// each weight load (eight independent multiply-add chains); a row is read from memory once for the whole batch.
/// </summary>
[SkipLocalsInit]
public static class FloatMatVec
{
    /// <summary>y[r] += Σ_j w[r, j] · x[j] for a row-major [y.Length, x.Length] matrix.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y) =>
        MultiplyAdd(w, x, x.Length, 1, y, y.Length);

    /// <summary>
    /// outputs[b·rows + r] += Σ_j w[r, j] · inputs[b·cols + j] for each of <paramref name="count"/> vectors b,
    /// w row-major [rows, cols].
    /// </summary>
    public static void MultiplyAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> inputs, int cols, int count, Span<float> outputs, int rows)
    {
        if (w.Length < (long)rows * cols || inputs.Length < (long)count * cols || outputs.Length < (long)count * rows)
            throw new ArgumentException($"a [{rows}, {cols}] matrix times {count} vectors needs {rows * cols} weights, {count * cols} inputs and {count * rows} outputs");
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float xr = ref MemoryMarshal.GetReference(inputs);
        ref float yr = ref MemoryMarshal.GetReference(outputs);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref wr, r * cols);
            int b = 0;
            for (; b + 2 <= count; b += 2)
            {
                var (s0, s1) = Dot2(ref row, ref Unsafe.Add(ref xr, b * cols), ref Unsafe.Add(ref xr, (b + 1) * cols), cols);
                Unsafe.Add(ref yr, b * rows + r) += s0;
                Unsafe.Add(ref yr, (b + 1) * rows + r) += s1;
            }
            if (b < count) Unsafe.Add(ref yr, b * rows + r) += Dot1(ref row, ref Unsafe.Add(ref xr, b * cols), cols);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float p, int offset) => Vector.LoadUnsafe(ref p, (nuint)offset);

    private static float Dot1(ref float w, ref float x, int cols)
    {
        int width = Vector<float>.Count, j = 0;
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (; j + 4 * width <= cols; j += 4 * width)
        {
            a0 = Vector.FusedMultiplyAdd(Load(ref w, j), Load(ref x, j), a0);
            a1 = Vector.FusedMultiplyAdd(Load(ref w, j + width), Load(ref x, j + width), a1);
            a2 = Vector.FusedMultiplyAdd(Load(ref w, j + 2 * width), Load(ref x, j + 2 * width), a2);
            a3 = Vector.FusedMultiplyAdd(Load(ref w, j + 3 * width), Load(ref x, j + 3 * width), a3);
        }
        // Leftover whole chunks continue the round-robin: a0, then a1, then a2.
        if (j + width <= cols) { a0 = Vector.FusedMultiplyAdd(Load(ref w, j), Load(ref x, j), a0); j += width; }
        if (j + width <= cols) { a1 = Vector.FusedMultiplyAdd(Load(ref w, j), Load(ref x, j), a1); j += width; }
        if (j + width <= cols) { a2 = Vector.FusedMultiplyAdd(Load(ref w, j), Load(ref x, j), a2); j += width; }
        float sum = Vector.Sum((a0 + a1) + (a2 + a3));
        for (; j < cols; j++) sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    /// <summary>Two vectors against one row, each summed exactly as <see cref="Dot1"/> sums it.</summary>
    private static (float, float) Dot2(ref float w, ref float x, ref float z, int cols)
    {
        int width = Vector<float>.Count, j = 0;
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        for (; j + 4 * width <= cols; j += 4 * width)
        {
            var w0 = Load(ref w, j);
            a0 = Vector.FusedMultiplyAdd(w0, Load(ref x, j), a0);
            b0 = Vector.FusedMultiplyAdd(w0, Load(ref z, j), b0);
            var w1 = Load(ref w, j + width);
            a1 = Vector.FusedMultiplyAdd(w1, Load(ref x, j + width), a1);
            b1 = Vector.FusedMultiplyAdd(w1, Load(ref z, j + width), b1);
            var w2 = Load(ref w, j + 2 * width);
            a2 = Vector.FusedMultiplyAdd(w2, Load(ref x, j + 2 * width), a2);
            b2 = Vector.FusedMultiplyAdd(w2, Load(ref z, j + 2 * width), b2);
            var w3 = Load(ref w, j + 3 * width);
            a3 = Vector.FusedMultiplyAdd(w3, Load(ref x, j + 3 * width), a3);
            b3 = Vector.FusedMultiplyAdd(w3, Load(ref z, j + 3 * width), b3);
        }
        if (j + width <= cols)
        {
            var wv = Load(ref w, j);
            a0 = Vector.FusedMultiplyAdd(wv, Load(ref x, j), a0);
            b0 = Vector.FusedMultiplyAdd(wv, Load(ref z, j), b0);
            j += width;
        }
        if (j + width <= cols)
        {
            var wv = Load(ref w, j);
            a1 = Vector.FusedMultiplyAdd(wv, Load(ref x, j), a1);
            b1 = Vector.FusedMultiplyAdd(wv, Load(ref z, j), b1);
            j += width;
        }
        if (j + width <= cols)
        {
            var wv = Load(ref w, j);
            a2 = Vector.FusedMultiplyAdd(wv, Load(ref x, j), a2);
            b2 = Vector.FusedMultiplyAdd(wv, Load(ref z, j), b2);
            j += width;
        }
        float sx = Vector.Sum((a0 + a1) + (a2 + a3)), sz = Vector.Sum((b0 + b1) + (b2 + b3));
        for (; j < cols; j++)
        {
            float wj = Unsafe.Add(ref w, j);
            sx += wj * Unsafe.Add(ref x, j);
            sz += wj * Unsafe.Add(ref z, j);
        }
        return (sx, sz);
    }
}
