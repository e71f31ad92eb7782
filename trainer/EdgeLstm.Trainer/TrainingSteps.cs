namespace EdgeLstm.Trainer;

/// <summary>One optimizer step, as every trainer takes it.</summary>
public static class TrainingSteps
{
    /// <summary>
    /// Backpropagates <paramref name="loss"/> and takes one optimizer step, clipping the gradient norm to <paramref name="clip"/> first
    /// when it is > 0; returns the loss. <paramref name="afterBackward"/> runs between the two (quantization-aware training
    /// puts the float weights back there).
    /// </summary>
    public static float Step(this optim.Optimizer optimizer, Tensor loss, nn.Module network, double clip = 0, Action? afterBackward = null)
    {
        optimizer.zero_grad();
        loss.backward();
        afterBackward?.Invoke();
        if (clip > 0) nn.utils.clip_grad_norm_(network.parameters(), clip);
        optimizer.step();
        return loss.item<float>();
    }
}
