using System.Numerics.Tensors;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The pointwise part of a float LSTM step, after <see cref="FloatRecurrence"/> has summed the four gates'
/// pre-activations: sigmoid and tanh by System.Numerics.Tensors' primitives (AVX-512, AVX2 or NEON as the CPU has
/// them), then c and h. Element-wise, so it gives the same bits for any number of streams and steps on one CPU;
/// across CPUs the primitives' vector widths differ, so float results are close (checked against
/// <see cref="FloatLstmReference"/> and libtorch), not bit-identical as int8 ones are. Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class FloatCellUpdate
{
    /// <summary>From the 4H pre-activations in gate order i, f, g, o (overwritten by the activated gates), c and h in place.</summary>
    public static void Apply(Span<float> all, Span<float> h, Span<float> c)
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
