using System.Numerics.Tensors;

namespace EdgeLstm.Runtime;

/// <summary>
/// Pools an encoder's outputs [T, D] into one vector [D] for a classification or regression head; the float and
/// int8 runners share it (the encoder's outputs are float in both). The trainer computes the same formulas.
/// last: the final state of each direction (forward at step T−1, reverse at step 0); mean and max: over steps;
/// attention: softmax over steps of w · o_t + b, then the weighted sum of the o_t. Every pooling gives the same bits
/// on every CPU (element-wise operations, and attention in scalar code), as the int8 guarantee needs.
/// </summary>
public static class SequencePooling
{
    /// <param name="forwardWidth">
    /// Columns [0, forwardWidth) are read forward, the rest backward: the top layer's hidden size, or 0 for a reverse
    /// layer (<see cref="EncoderLayerDescription.ForwardWidth"/>).
    /// </param>
    /// <param name="scores">Scratch of at least <paramref name="steps"/> floats (attention).</param>
    public static void Pool(string pooling, ReadOnlySpan<float> outputs, int steps, int width, int forwardWidth, Span<float> pooled,
        ReadOnlySpan<float> poolWeight, float poolBias, Span<float> scores)
    {
        if (steps < 1) throw new ArgumentException("pooling needs at least one step", nameof(steps));
        pooled = pooled[..width];
        switch (pooling)
        {
            case Poolings.Last:
                outputs.Slice((steps - 1) * width, forwardWidth).CopyTo(pooled);
                outputs.Slice(forwardWidth, width - forwardWidth).CopyTo(pooled[forwardWidth..]);
                break;
            case Poolings.Mean:
                outputs[..width].CopyTo(pooled);
                for (int t = 1; t < steps; t++) TensorPrimitives.Add(pooled, outputs.Slice(t * width, width), pooled);
                TensorPrimitives.Multiply(pooled, 1f / steps, pooled);
                break;
            case Poolings.Max:
                outputs[..width].CopyTo(pooled);
                for (int t = 1; t < steps; t++) TensorPrimitives.Max(pooled, outputs.Slice(t * width, width), pooled);
                break;
            case Poolings.Attention:
                Span<float> weights = scores[..steps];
                AttentionWeights(outputs, steps, width, poolWeight, poolBias, weights);
                pooled.Clear();
                for (int t = 0; t < steps; t++)
                {
                    ReadOnlySpan<float> o = outputs.Slice(t * width, width);
                    for (int j = 0; j < width; j++) pooled[j] += weights[t] * o[j];
                }
                break;
            default:
                throw new ArgumentException($"pooling '{pooling}' does not pool a sequence", nameof(pooling));
        }
    }

    /// <summary>
    /// Attention pooling's weight of each step, softmax over steps of w · o_t + b. Scalar, in a fixed order, with
    /// DeterministicMath.Exp: int8 models must pool to the same bits on every CPU, and TensorPrimitives' vector widths
    /// and exp differ between x64 and ARM64.
    /// </summary>
    public static void AttentionWeights(ReadOnlySpan<float> outputs, int steps, int width, ReadOnlySpan<float> poolWeight, float poolBias, Span<float> weights)
    {
        Span<float> s = weights[..steps];
        float max = float.NegativeInfinity;
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> o = outputs.Slice(t * width, width);
            float score = poolBias;
            for (int j = 0; j < width; j++) score += poolWeight[j] * o[j];
            s[t] = score;
            max = MathF.Max(max, score);
        }
        float total = 0f;
        for (int t = 0; t < steps; t++) total += s[t] = Kernels.DeterministicMath.Exp(s[t] - max);
        for (int t = 0; t < steps; t++) s[t] /= total;
    }
}
