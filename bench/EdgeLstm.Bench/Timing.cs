using System.Diagnostics;

namespace EdgeLstm.Bench;

/// <summary>Median-of-runs timing for the harness: warm up, then time repeated batches of calls.</summary>
internal static class Timing
{
    /// <summary>Median microseconds per call of <paramref name="action"/> over <paramref name="runs"/> runs of <paramref name="calls"/> calls.</summary>
    public static double MedianMicroseconds(Action action, int calls = 200, int runs = 21, int warmupCalls = 500)
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
        return samples[runs / 2];
    }
}
