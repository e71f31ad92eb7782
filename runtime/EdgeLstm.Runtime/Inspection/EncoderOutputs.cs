using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Runtime.Inspection;

/// <summary>
/// A float model's encoder outputs at every step (both directions side by side), and the attention weights of an
/// attention-pooled head over them. The outputs come from the model's own runner: the same encoder with an
/// identity per-step head, so they are exactly what its pooling sees.
/// </summary>
public static class EncoderOutputs
{
    /// <summary>Encoder outputs [tokens × EncoderWidth], step-major.</summary>
    public static float[] Of(FloatLstmModel model, ReadOnlySpan<int> tokens)
    {
        ModelDescription d = model.Description;
        if (d.Head.Decoder is not null) throw new ArgumentException("a sequence-to-sequence model's runner already gives its encoder outputs");
        int width = d.EncoderWidth;
        var identity = d with { Head = new HeadDescription { Kind = HeadKinds.Regress, Pooling = Poolings.None, Size = width } };
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec spec in ModelTensors.Of(identity, fusedBiases: false))
            tensors[spec.Name] = spec.Name switch
            {
                ModelTensors.HeadWeight => Identity(width),
                ModelTensors.HeadBias => new float[width],
                _ => model.Tensor(spec.Name),
            };
        using ISequenceRunner runner = new FloatLstmModel(identity, tensors).CreateRunner();
        return runner.Run(tokens).ToArray();
    }

    /// <summary>The attention pooling's weights over the steps (softmax of w · o_t + b); the model's pooling must be attention.</summary>
    public static float[] AttentionWeights(FloatLstmModel model, ReadOnlySpan<int> tokens)
    {
        if (model.Description.Head.Pooling != Poolings.Attention || model.PoolWeight is null || model.PoolBias is null)
            throw new ArgumentException($"the model pools by '{model.Description.Head.Pooling}', not attention");
        float[] outputs = Of(model, tokens);
        int width = model.Description.EncoderWidth, steps = tokens.Length;
        var scores = new float[steps];
        for (int t = 0; t < steps; t++)
        {
            float s = model.PoolBias[0];
            for (int j = 0; j < width; j++) s += model.PoolWeight[j] * outputs[t * width + j];
            scores[t] = s;
        }
        var weights = new float[steps];
        StableSoftmax.Compute(scores, weights);
        return weights;
    }

    private static float[] Identity(int n)
    {
        var m = new float[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 1;
        return m;
    }
}
