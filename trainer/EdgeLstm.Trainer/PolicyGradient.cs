namespace EdgeLstm.Trainer;

/// <summary>
/// REINFORCE with a baseline, the generator's update of a language GAN (SeqGAN, Yu et al. 2017): for sequences the
/// generator sampled, loss = −(1/B) Σ_b Σ_t A[b, t] · log π(x[b, t] | x[b, &lt;t]), where the advantage A is the
/// step's reward minus a baseline (0 on padding). Minimizing it raises the probability of the tokens that scored
/// above the baseline and lowers the rest; the advantages are constants (no gradient flows into the rewarder).
/// </summary>
public static class PolicyGradient
{
    /// <param name="logits">The generator's outputs [B, T, V] at the steps that predicted <paramref name="tokens"/>.</param>
    /// <param name="tokens">The sampled tokens [B, T] (int64).</param>
    /// <param name="advantages">Reward minus baseline per step [B, T] (float; 0 where a sequence has ended).</param>
    public static Tensor Loss(Tensor logits, Tensor tokens, Tensor advantages)
    {
        using var scope = NewDisposeScope();
        var chosen = nn.functional.log_softmax(logits, -1).gather(2, tokens.unsqueeze(2)).squeeze(2);
        return chosen.mul(advantages.detach()).sum().neg().div(logits.shape[0]).MoveToOuterDisposeScope();
    }

    /// <summary>Rewards [B, T] less their mean over the batch at each step: a baseline that needs no critic network.</summary>
    public static Tensor Advantages(Tensor rewards) => rewards.sub(rewards.mean([0], keepdim: true));
}
