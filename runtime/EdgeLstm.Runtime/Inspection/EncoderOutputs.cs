using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Runtime.Inspection;

/// <summary>
/// A float model's encoder outputs at every step (both directions side by side), and the attention weights of an
/// attention-pooled head over them: the model's own <see cref="FloatEncoder"/> and <see cref="SequencePooling"/>, so
/// exactly what its head sees.
/// </summary>
public static class EncoderOutputs
{
    /// <summary>Encoder outputs [tokens × EncoderWidth], step-major.</summary>
    public static float[] Of(FloatLstmModel model, ReadOnlySpan<int> tokens) => new FloatEncoder(model, steps: tokens.Length).Encode(tokens).ToArray();

    /// <summary>The attention pooling's weights over the steps (softmax of w · o_t + b); the model's pooling must be attention.</summary>
    public static float[] AttentionWeights(FloatLstmModel model, ReadOnlySpan<int> tokens)
    {
        if (model.Description.Head.Pooling != Poolings.Attention || model.PoolWeight is null || model.PoolBias is null)
            throw new ArgumentException($"the model pools by '{model.Description.Head.Pooling}', not attention");
        float[] outputs = Of(model, tokens);
        var weights = new float[tokens.Length];
        SequencePooling.AttentionWeights(outputs, tokens.Length, model.Description.EncoderWidth, model.PoolWeight, model.PoolBias[0], weights);
        return weights;
    }
}
