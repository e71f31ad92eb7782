using System.Numerics.Tensors;

namespace EdgeLstm.Runtime;

/// <summary>
/// Softmax that takes the largest value off first: TensorPrimitives.SoftMax exponentiates the values as they are,
/// so logits above ~88 overflow to infinity and give NaN probabilities.
/// </summary>
public static class StableSoftmax
{
    public static void Compute(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        TensorPrimitives.Subtract(logits, TensorPrimitives.Max(logits), probabilities);
        TensorPrimitives.SoftMax(probabilities, probabilities);
    }
}
