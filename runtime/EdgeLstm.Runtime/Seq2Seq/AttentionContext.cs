namespace EdgeLstm.Runtime;

/// <summary>
/// An attention decoder's context, c[j] = Σ_t α_t·E[t, j]: for every column, 0 then α_0·E[0, j] added, then α_1·E[1, j],
/// … — each term a multiply then an add (the JIT never fuses them), so every vector width, and the scalar loop, give
/// the same bits on every CPU. The columns are taken in register blocks with t inside, so each block of the context
/// is written once instead of once per input step (adding each step's whole row to the context in turn read and wrote
/// it every step, and was a sixth of a g2p word's time). Allocates nothing.
/// </summary>
[SkipLocalsInit]
internal static class AttentionContext
{
    /// <param name="alphas">α_t for the input steps, already normalised.</param>
    /// <param name="outputs">E: steps rows of <paramref name="context"/>.Length values.</param>
    public static void Compute(ReadOnlySpan<float> alphas, ReadOnlySpan<float> outputs, Span<float> context)
    {
        int width = context.Length, steps = alphas.Length, j = 0;
        if (outputs.Length < steps * width) throw new ArgumentException("fewer encoder outputs than steps × width", nameof(outputs));
        ref float e = ref MemoryMarshal.GetReference(outputs);
        ref float a = ref MemoryMarshal.GetReference(alphas);
        ref float c = ref MemoryMarshal.GetReference(context);
        if (Vector512.IsHardwareAccelerated)
            for (; j + 64 <= width; j += 64)
            {
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int t = 0; t < steps; t++)
                {
                    var at = Vector512.Create(Unsafe.Add(ref a, t));
                    ref float row = ref Unsafe.Add(ref e, t * width + j);
                    c0 += at * Vector512.LoadUnsafe(ref row);
                    c1 += at * Vector512.LoadUnsafe(ref row, 16);
                    c2 += at * Vector512.LoadUnsafe(ref row, 32);
                    c3 += at * Vector512.LoadUnsafe(ref row, 48);
                }
                c0.StoreUnsafe(ref c, (nuint)j);
                c1.StoreUnsafe(ref c, (nuint)j + 16);
                c2.StoreUnsafe(ref c, (nuint)j + 32);
                c3.StoreUnsafe(ref c, (nuint)j + 48);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; j + 16 <= width; j += 16)
            {
                Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int t = 0; t < steps; t++)
                {
                    var at = Vector128.Create(Unsafe.Add(ref a, t));
                    ref float row = ref Unsafe.Add(ref e, t * width + j);
                    c0 += at * Vector128.LoadUnsafe(ref row);
                    c1 += at * Vector128.LoadUnsafe(ref row, 4);
                    c2 += at * Vector128.LoadUnsafe(ref row, 8);
                    c3 += at * Vector128.LoadUnsafe(ref row, 12);
                }
                c0.StoreUnsafe(ref c, (nuint)j);
                c1.StoreUnsafe(ref c, (nuint)j + 4);
                c2.StoreUnsafe(ref c, (nuint)j + 8);
                c3.StoreUnsafe(ref c, (nuint)j + 12);
            }
        for (; j < width; j++)
        {
            float sum = 0f;
            for (int t = 0; t < steps; t++) sum += Unsafe.Add(ref a, t) * Unsafe.Add(ref e, t * width + j);
            Unsafe.Add(ref c, j) = sum;
        }
    }
}
