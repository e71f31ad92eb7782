namespace EdgeLstm.Bench;

/// <summary>
/// Whole int8 steps of several .elstm models of one architecture (e.g. the default model dense and block-sparse),
/// one and two threads, timed in turns in one run (best of 41 interleaved rounds), so the ratios to the first model
/// come from the same moments of this noisy VM.
/// </summary>
internal static class ModelComparison
{
    public static void Run(string[] paths)
    {
        var best = LstmKernels.CreateBest();
        var models = paths.Select(p => (QuantizedLstmModel)CompactModelLoader.Load(p)).ToArray();
        var sessions = new List<QuantizedLstmSession>();
        var actions = new List<(Action, int)>();
        foreach (var model in models)
            foreach (int threads in new[] { 1, 2 })
            {
                var session = model.CreateSession(best, threads);
                sessions.Add(session);
                int vocab = model.OutputSize, token = 0;
                actions.Add((() => session.Step(token = (token + 1) % vocab), 50));
            }
        double[] us = Timing.BestInterleaved(actions);
        foreach (var session in sessions) session.Dispose();

        Console.WriteLine($"kernels {best.Name}; µs per step, best of 41 interleaved rounds of 50 steps");
        Console.WriteLine();
        Console.WriteLine("| model | LSTM + output weights | 1 thread | 2 threads | 1 thread vs first | 2 threads vs first |");
        Console.WriteLine("|---|---|---|---|---|---|");
        for (int m = 0; m < models.Length; m++)
        {
            long bytes = models[m].Head.StoredBytes;
            foreach (var layer in models[m].Layers) bytes += layer.WeightIh.StoredBytes + layer.WeightHh.StoredBytes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(paths[m])} | {bytes:N0} bytes | {us[2 * m]:F2} | {us[2 * m + 1]:F2} | {us[0] / us[2 * m]:F2}x | {us[1] / us[2 * m + 1]:F2}x |"));
        }
    }
}
