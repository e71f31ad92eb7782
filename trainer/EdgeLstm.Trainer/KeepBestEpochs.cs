using TorchSharp;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// The epoch loop the task trainers share: train an epoch and score it on validation (the caller's
/// <c>epoch</c> function), keep a copy of the parameters of the best-scoring epoch, stop after
/// <c>patience</c> epochs without a better one, and leave the network holding the kept parameters, in eval mode.
/// The first epoch is always kept, so a score that is never better (NaN) still ends with parameters.
/// </summary>
internal static class KeepBestEpochs
{
    public sealed record Outcome<TScore>(int Epochs, int BestEpoch, TScore Best);

    /// <param name="epoch">Trains epoch e (1-based) in train mode and returns its validation score.</param>
    /// <param name="isBetter">(candidate, best so far): true to keep the candidate.</param>
    /// <param name="report">After each epoch: its number, score and whether it was kept.</param>
    public static Outcome<TScore> Run<TScore>(nn.Module network, int epochs, int patience, Func<int, TScore> epoch, Func<TScore, TScore, bool> isBetter,
        Action<int, TScore, bool>? report = null)
    {
        Dictionary<string, Tensor>? kept = null;
        TScore best = default!;
        int bestEpoch = 0, e;
        try
        {
            for (e = 1; e <= epochs; e++)
            {
                network.train();
                TScore score = epoch(e);
                bool better = bestEpoch == 0 || isBetter(score, best);
                report?.Invoke(e, score, better);
                if (better)
                {
                    Dispose(kept);
                    kept = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
                    (best, bestEpoch) = (score, e);
                }
                else if (e - bestEpoch >= patience) break;
            }
            network.load_state_dict(kept!);
        }
        finally
        {
            Dispose(kept);
        }
        network.eval();
        return new Outcome<TScore>(Math.Min(e, epochs), bestEpoch, best);
    }

    private static void Dispose(Dictionary<string, Tensor>? state)
    {
        foreach (Tensor t in state?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
    }
}
