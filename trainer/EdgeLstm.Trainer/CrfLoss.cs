namespace EdgeLstm.Trainer;

/// <summary>
/// The linear-chain CRF's negative log-likelihood (Lafferty et al. 2001; the BiLSTM-CRF of Huang et al. 2015):
/// a tag path's score is start[y₁] + Σ emissions[t, yₜ] + Σ transitions[yₜ₋₁, yₜ] + end[y_T], and its probability
/// that score's exponential over the sum for every path, which the forward algorithm computes in log space
/// (logsumexp, so no exponential overflows). Batched over sentences of different lengths by a mask: a padded step
/// carries the forward scores through unchanged. Autograd gives the gradients.
/// </summary>
public static class CrfLoss
{
    /// <param name="emissions">[B, T, L] per-step tag scores.</param>
    /// <param name="tags">[B, T] int64 gold tags (any value where the mask is false).</param>
    /// <param name="mask">[B, T] bool, true for real steps; every sentence has at least its first step.</param>
    /// <param name="transitions">[L, L]: transitions[i, j] scores tag i followed by tag j.</param>
    /// <param name="start">[L] scores of the first tag.</param>
    /// <param name="end">[L] scores of the last tag.</param>
    /// <returns>[B]: log Z − score(gold path) of each sentence.</returns>
    public static Tensor NegativeLogLikelihood(Tensor emissions, Tensor tags, Tensor mask, Tensor transitions, Tensor start, Tensor end) =>
        LogPartition(emissions, mask, transitions, start, end) - PathScore(emissions, tags, mask, transitions, start, end);

    /// <summary>log Σ over every tag path of exp(score), per sentence: [B].</summary>
    public static Tensor LogPartition(Tensor emissions, Tensor mask, Tensor transitions, Tensor start, Tensor end)
    {
        long steps = emissions.shape[1];
        var alpha = start.unsqueeze(0) + emissions[.., 0];                                               // [B, L]
        for (long t = 1; t < steps; t++)
        {
            // next[b, j] = logsumexp_i(alpha[b, i] + transitions[i, j]) + emissions[b, t, j]
            var next = (alpha.unsqueeze(2) + transitions.unsqueeze(0)).logsumexp(1) + emissions[.., t];
            alpha = where(mask[.., t].unsqueeze(1), next, alpha);
        }
        return (alpha + end.unsqueeze(0)).logsumexp(1);
    }

    /// <summary>The score of the given tag paths, per sentence: [B].</summary>
    public static Tensor PathScore(Tensor emissions, Tensor tags, Tensor mask, Tensor transitions, Tensor start, Tensor end)
    {
        var real = mask.to_type(emissions.dtype);                                                         // [B, T]
        var emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2);                                  // [B, T]
        var score = start.index_select(0, tags[.., 0]) + (emitted * real).sum(1);
        if (tags.shape[1] > 1)
        {
            var moved = transitions[tags[.., ..^1], tags[.., 1..]];                                       // [B, T − 1]
            score += (moved * real[.., 1..]).sum(1);
        }
        var lengths = mask.to_type(ScalarType.Int64).sum(1);                                              // [B]
        var last = tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1);
        return score + end.index_select(0, last);
    }
}
