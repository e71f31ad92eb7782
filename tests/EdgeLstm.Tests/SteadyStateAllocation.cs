namespace EdgeLstm.Tests;

/// <summary>
/// Bytes a piece of work allocates on this thread once warm: the fewest over a few rounds. A round can catch the
/// runtime's own one-off work (tiered JIT moving a method up, which on a busy 2-core machine lands at any time);
/// an allocation in the work itself shows in every round, so the minimum still catches it.
/// </summary>
internal static class SteadyStateAllocation
{
    public static long Bytes(Action round, int rounds = 5)
    {
        long fewest = long.MaxValue;
        for (int r = 0; r < rounds && fewest > 0; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
