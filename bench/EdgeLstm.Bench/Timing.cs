using System.Diagnostics;

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
}
