namespace EdgeLstm.Trainer;

/// <summary>One optimizer step, as every trainer takes it.</summary>
public static class TrainingSteps
{
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
