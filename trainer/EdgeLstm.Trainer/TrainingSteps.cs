namespace EdgeLstm.Trainer;

/// <summary>One optimizer step, as every trainer takes it.</summary>
public static class TrainingSteps
{
    /// <summary>
    /// Backpropagates <paramref name="loss"/> and takes one optimizer step, clipping the gradient norm to <paramref name="clip"/> first
    /// when it is > 0; returns the loss. <paramref name="afterBackward"/> runs between the two (quantization-aware training
    /// puts the float weights back there).
    /// <para>With a distributed <paramref name="group"/>, <paramref name="loss"/> is the mean over this rank's shard, which holds
    /// <paramref name="weight"/> tokens or rows (null and 0 for an empty shard); the gradients are averaged over the global
    /// batch (<see cref="DistributedGroup.AverageGradients"/>) before clipping, so the clipped norm is the global gradient's,
    /// as in one process; the global mean loss is returned.</para>
    /// </summary>
    public static float Step(this optim.Optimizer optimizer, Tensor? loss, nn.Module network, double clip = 0, Action? afterBackward = null,
        DistributedGroup? group = null, double weight = 1)
    {
        optimizer.zero_grad();
        loss?.backward();
        afterBackward?.Invoke();
        float value = loss is null ? 0 : loss.item<float>();
        if (group is { IsDistributed: true })
            value = (float)group.AverageGradients(network.parameters().Where(p => p.requires_grad).ToList(), value, loss is null ? 0 : weight).MeanLoss;
        if (clip > 0) nn.utils.clip_grad_norm_(network.parameters(), clip);
        optimizer.step();
        return value;
    }
}
