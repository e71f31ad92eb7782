namespace EdgeLstm.Bench;

/// <summary>
/// Whether this machine's two vCPUs behave as two cores for a split batch-1 step: each ceiling of the roofline
/// (vpdpbusd on registers, a streaming read of half a hidden-512 layer) on one thread alone and on two threads at
/// once, each with its own buffer; and how long one thread takes to see a counter the other wrote (the handoff
/// a split step pays twice). Two real cores give ~2x the one-thread rate; two hyperthreads of one host core, or
/// a host that runs one vCPU at a time, give less.
/// </summary>
internal static class CoreScalingProbe
{
    private const int Rounds = 21;

    public static void Run()
    {
        const int halfLayer = 786_432; // half of a hidden-512 layer's int8 weights (2048 × 768 / 2)
        Console.WriteLine("| ceiling | one thread alone | each of two at once | two at once vs one |");
        Console.WriteLine("|---|---|---|---|");
        if (MultiplyAddProbe.IsSupported)
            Row("vpdpbusd on registers, GMAC/s", MultiplyAddProbe.Runner, 20, MultiplyAddProbe.MultiplyAddsPerCall);
        Row("streaming read of 768 KB (L2), GB/s", () => BandwidthProbe.Reader(halfLayer), 40, halfLayer);
        var (median, p90) = HandoffLatency();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"handoff (one thread writes a counter, the other spins until it sees it, and answers): one way {median * 1000:F0} ns median, {p90 * 1000:F0} ns p90 of {Rounds} batches"));
    }

    /// <summary>Best-of-rounds rate of one thread alone, then of each of two threads running at the same time.</summary>
    private static void Row(string name, Func<Action> create, int calls, long unitsPerCall)
    {
        Action one = create(), a = create(), b = create();
        double alone = double.MaxValue, together = double.MaxValue;
        for (int round = -2; round < Rounds; round++)
        {
            double us = TimeCalls(one, calls);
            double both = Together(a, b, calls);
            if (round < 0) continue;
            alone = Math.Min(alone, us);
            together = Math.Min(together, both);
        }
        double rateAlone = unitsPerCall / alone / 1000, rateEach = unitsPerCall / together / 1000;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {rateAlone:F1} | {rateEach:F1} | {2 * rateEach / rateAlone:F2}x |"));
    }

    private static double TimeCalls(Action action, int calls)
    {
        action();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
    }

    /// <summary>Both actions started together (a barrier); the slower thread's microseconds per call.</summary>
    private static double Together(Action a, Action b, int calls)
    {
        double usB = 0;
        using var barrier = new Barrier(2);
        var thread = new Thread(() =>
        {
            b();
            barrier.SignalAndWait();
            usB = TimeCalls(b, calls);
        });
        thread.Start();
        a();
        barrier.SignalAndWait();
        double usA = TimeCalls(a, calls);
        thread.Join();
        return Math.Max(usA, usB);
    }

    /// <summary>Ping-pong on one counter: median and 90th percentile of the one-way time over batches of 10,000.</summary>
    private static (double MedianUs, double P90Us) HandoffLatency()
    {
        const int trips = 10_000;
        int counter = 0;
        bool stop = false;
        var partner = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                int value = Volatile.Read(ref counter);
                if ((value & 1) == 1) Volatile.Write(ref counter, value + 1);
            }
        });
        partner.Start();
        var samples = new double[Rounds];
        int next = 0;
        for (int round = -2; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < trips; i++)
            {
                Volatile.Write(ref counter, ++next);  // odd: the partner's turn
                next++;
                while (Volatile.Read(ref counter) != next) Thread.SpinWait(1);
            }
            if (round >= 0) samples[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / trips / 2;
        }
        Volatile.Write(ref stop, true);
        partner.Join();
        Array.Sort(samples);
        return (samples[Rounds / 2], samples[Rounds * 9 / 10]);
    }
}
