namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// Σ of each row of an int8 matrix, computed once when a model loads (the VNNI kernels need it). Vectorized
/// because it touches every weight and so sits on the cold-start path; checked against
/// <see cref="Int8.Int8Reference.RowSums(ReadOnlySpan{sbyte}, int, int)"/>.
/// </summary>
[SkipLocalsInit]
public static class Int8RowSums
{
    public static int[] Dense(ReadOnlySpan<sbyte> w, int rows, int cols)
    {
        var sums = new int[rows];
        for (int r = 0; r < rows; r++) sums[r] = Sum(w.Slice(r * cols, cols));
        return sums;
    }

    /// <summary>Σ of a span, exactly: 16 bytes widened to int16 pairs per step, flushed to int32 every 128 steps.</summary>
    public static int Sum(ReadOnlySpan<sbyte> values)
    {
        ref sbyte v = ref MemoryMarshal.GetReference(values);
        int total = 0, j = 0;
        while (j + 16 <= values.Length)
        {
            // |each int16 lane| grows by at most 2·128 per step: 128 steps stay below 32768.
            var acc = Vector128<short>.Zero;
            int end = Math.Min(values.Length - 15, j + 128 * 16);
            for (; j < end; j += 16)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref v, (nuint)j));
                acc += lo + hi;
            }
            var (a, b) = Vector128.Widen(acc);
            total += Vector128.Sum(a + b);
        }
        for (; j < values.Length; j++) total += Unsafe.Add(ref v, j);
        return total;
    }
}
