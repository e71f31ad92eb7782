using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The float LSTM step on System.Numerics.Tensors' vectorized primitives (AVX-512/AVX2/NEON as the CPU has them):
/// the same computation as <see cref="FloatLstmReference"/>, but each row's dot product is summed in vector
/// lanes, so results differ from the reference by rounding only (checked against it and against libtorch).
/// Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class FloatLstmVectorStep
{
    /// <summary>y[r] += Σ_j w[r, j] · x[j] for a row-major [y.Length, x.Length] matrix.</summary>
    public static void MatVecAdd(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int cols = x.Length;
        if (w.Length < y.Length * cols) throw new ArgumentException("matrix is smaller than rows × columns", nameof(w));
        for (int r = 0; r < y.Length; r++)
            y[r] += TensorPrimitives.Dot(w.Slice(r * cols, cols), x);
    }

    /// <summary>One cell step (gate order i, f, g, o), h and c updated in place; <paramref name="gates"/> is scratch of length ≥ 4H.</summary>
    public static void Step(FloatLstmLayer layer, ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates)
    {
        int hidden = layer.HiddenSize;
        Span<float> all = gates[..(4 * hidden)];
        TensorPrimitives.Add(layer.BiasIh, layer.BiasHh, all);
        MatVecAdd(layer.WeightIh, x, all);
        MatVecAdd(layer.WeightHh, h, all);
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
