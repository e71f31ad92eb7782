namespace EdgeLstm.Bench;

/// <summary>
/// Timing for the harness: warm up, then time repeated batches of calls. The harness reports the best batch:
/// on a shared VM whose vCPUs are often descheduled (steal), the fastest batch is the one least disturbed, so
/// it measures the code and the machine rather than the neighbours.
/// </summary>
internal static class Timing
{
    /// <summary>Best (minimum) microseconds per call of <paramref name="action"/> over <paramref name="runs"/> runs of <paramref name="calls"/> calls.</summary>
    public static double BestMicroseconds(Action action, int calls = 200, int runs = 21, int warmupCalls = 500) =>
        Samples(action, calls, runs, warmupCalls)[0];

    private static double[] Samples(Action action, int calls, int runs, int warmupCalls)
    {
        for (int i = 0; i < warmupCalls; i++) action();
        var samples = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) action();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
        }
        Array.Sort(samples);
        return samples;
    }

    /// <summary>
    /// Best microseconds per call of each action, timed in turns (one batch of each per round) so that every
    /// action sees the same spells of steal: ratios between them are then fair even on a noisy VM. One untimed
    /// call before each batch brings that action's data back into the caches the others used meanwhile.
    /// </summary>
    public static double[] BestInterleaved(IReadOnlyList<(Action Action, int Calls)> actions, int rounds = 41, int warmupRounds = 3)
    {
        var best = new double[actions.Count];
        Array.Fill(best, double.MaxValue);
        for (int round = -warmupRounds; round < rounds; round++)
            for (int a = 0; a < actions.Count; a++)
            {
                var (action, calls) = actions[a];
                action();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) action();
                double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
                if (round >= 0) best[a] = Math.Min(best[a], us);
            }
        return best;
    }
}
