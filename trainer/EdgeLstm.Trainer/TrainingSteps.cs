namespace EdgeLstm.Trainer;

/// <summary>The two pieces of a training epoch every trainer writes the same way.</summary>
public static class TrainingSteps
{
    /// <summary>The rows of each minibatch, taken in <paramref name="order"/> (the last one may be short).</summary>
    public static IEnumerable<int[]> Batches(int[] order, int batchSize)
    {
        for (int start = 0; start < order.Length; start += batchSize)
            yield return order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
    }

    /// <summary>Backpropagates <paramref name="loss"/> and takes one optimizer step, clipping the gradient norm to <paramref name="clip"/> first when it is > 0; returns the loss.</summary>
    public static float Step(this optim.Optimizer optimizer, Tensor loss, nn.Module network, double clip = 0)
    {
        optimizer.zero_grad();
        loss.backward();
        if (clip > 0) nn.utils.clip_grad_norm_(network.parameters(), clip);
        optimizer.step();
        return loss.item<float>();
    }
}
