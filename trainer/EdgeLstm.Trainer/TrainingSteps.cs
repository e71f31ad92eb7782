namespace EdgeLstm.Trainer;

/// <summary>One optimizer step, as every trainer takes it.</summary>
public static class TrainingSteps
{
    /// <summary>A step's loss: the mean over the global batch (every rank's shard), and what it is a mean over (tokens or rows, all ranks').</summary>
    public readonly record struct StepLoss(double Mean, double Weight);

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
        DistributedGroup? group = null, double weight = 1) =>
        (float)Take(optimizer, loss, network, clip, afterBackward, group, weight).Mean;

    /// <summary>
    /// One step on a global batch of rows (the same on every rank): <paramref name="loss"/> is run on this rank's shard of
    /// <paramref name="batch"/> (<see cref="DistributedGroup.Shard{T}"/>; the whole batch in one process) and returns the
    /// mean loss over it and the tokens or rows that mean is over; not run for an empty shard. The ranks' gradients are
    /// averaged weighted by those, so N ranks step as one process with the whole batch would. Every trainer of rows steps here.
    /// </summary>
    public static StepLoss StepShard(this optim.Optimizer optimizer, nn.Module network, DistributedGroup group, int[] batch,
        Func<int[], (Tensor Loss, long Weight)> loss, double clip = 0, Action? afterBackward = null)
    {
        int[] mine = group.Shard(batch);
        Tensor? value = null;
        long weight = 0;
        if (mine.Length > 0) (value, weight) = loss(mine);
        return Take(optimizer, value, network, clip, afterBackward, group, weight);
    }

    private static StepLoss Take(optim.Optimizer optimizer, Tensor? loss, nn.Module network, double clip, Action? afterBackward, DistributedGroup? group, double weight)
    {
        optimizer.zero_grad();
        loss?.backward();
        afterBackward?.Invoke();
        var step = new StepLoss(loss is null ? 0 : loss.item<float>(), loss is null ? 0 : weight);
        if (group is { IsDistributed: true })
        {
            var (mean, total) = group.AverageGradients(network.parameters().Where(p => p.requires_grad).ToList(), step.Mean, step.Weight);
            step = new StepLoss(mean, total);
        }
        if (clip > 0) nn.utils.clip_grad_norm_(network.parameters(), clip);
        optimizer.step();
        return step;
    }
}
