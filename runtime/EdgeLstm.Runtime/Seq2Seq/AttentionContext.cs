using EdgeLstm.Runtime.Kernels;

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
        if (Vector512.IsHardwareAccelerated) j = Blocks<FloatLanes512, Vector512<float>>(alphas, outputs, context, j);
        if (Vector128.IsHardwareAccelerated) j = Blocks<FloatLanes128, Vector128<float>>(alphas, outputs, context, j);
        for (; j < width; j++)
        {
            float sum = 0f;
            for (int t = 0; t < steps; t++) sum += alphas[t] * outputs[t * width + j];
            context[j] = sum;
        }
    }

    /// <summary>Columns from <paramref name="j"/> in blocks of four vectors; returns where the blocks stopped.</summary>
    private static int Blocks<TLanes, TVec>(ReadOnlySpan<float> alphas, ReadOnlySpan<float> outputs, Span<float> context, int j)
        where TLanes : struct, IFloatLanes<TVec> where TVec : struct
    {
        int n = TLanes.Count, width = context.Length;
        ref float e = ref MemoryMarshal.GetReference(outputs);
        for (; j + 4 * n <= width; j += 4 * n)
        {
            TVec c0 = default, c1 = default, c2 = default, c3 = default;
            for (int t = 0; t < alphas.Length; t++)
            {
                TVec at = TLanes.Create(alphas[t]);
                ref float row = ref Unsafe.Add(ref e, t * width + j);
                c0 = TLanes.Add(c0, TLanes.Multiply(at, TLanes.Load(ref row, 0)));
                c1 = TLanes.Add(c1, TLanes.Multiply(at, TLanes.Load(ref row, n)));
                c2 = TLanes.Add(c2, TLanes.Multiply(at, TLanes.Load(ref row, 2 * n)));
                c3 = TLanes.Add(c3, TLanes.Multiply(at, TLanes.Load(ref row, 3 * n)));
            }
            TLanes.Store(c0, context, j);
            TLanes.Store(c1, context, j + n);
            TLanes.Store(c2, context, j + 2 * n);
            TLanes.Store(c3, context, j + 3 * n);
        }
        return j;
    }
}
