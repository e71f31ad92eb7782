using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The float LSTM step, vectorized: the products by <see cref="FloatMatVec"/> (512-bit lanes where the CPU has
/// them; a fixed summation order shared with <see cref="FloatLstmBatch"/>), the gates by System.Numerics.Tensors' primitives
/// (AVX-512/AVX2/NEON as the CPU has them). The same computation as <see cref="FloatLstmReference"/>, but each row's
/// dot product is summed in vector lanes, so results differ from the reference by rounding only (checked against
/// it and against libtorch).
/// Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class FloatLstmVectorStep
{
    /// <summary>y[r] += Σ_j w[r, j] · x[j] for a row-major [y.Length, x.Length] matrix.</summary>
    public static void MatVecAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y) => FloatMatVec.MultiplyAdd(w, x, y);

    /// <summary>One cell step (gate order i, f, g, o), h and c updated in place; <paramref name="gates"/> is scratch of length ≥ 4H.</summary>
    public static void Step(FloatLstmLayer layer, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates)
    {
        int hidden = layer.HiddenSize;
        Span<float> all = gates[..(4 * hidden)];
        TensorPrimitives.Add(layer.BiasIh, layer.BiasHh, all);
        MatVecAdd(layer.WeightIh, x, all);
        MatVecAdd(layer.WeightHh, h, all);
        CellUpdate(all, h, c);
    }

    /// <summary>The pointwise part of a step: from the 4H pre-activations (overwritten), c and h in place.</summary>
    public static void CellUpdate(Span<float> all, Span<float> h, Span<float> c)
    {
        int hidden = h.Length;
        if (all.Length != 4 * hidden || c.Length != hidden) throw new ArgumentException("cell update needs 4·H pre-activations and H cells");
        Span<float> i = all[..hidden], f = all.Slice(hidden, hidden), g = all.Slice(2 * hidden, hidden), o = all[(3 * hidden)..];
        TensorPrimitives.Sigmoid(i, i);
        TensorPrimitives.Sigmoid(f, f);
        TensorPrimitives.Tanh(g, g);
        TensorPrimitives.Sigmoid(o, o);
        TensorPrimitives.Multiply(f, c, c);        // c = f·c
        TensorPrimitives.MultiplyAdd(i, g, c, c);  // c = i·g + f·c
        TensorPrimitives.Tanh(c, h);
        TensorPrimitives.Multiply(o, h, h);        // h = o·tanh(c)
    }
}
