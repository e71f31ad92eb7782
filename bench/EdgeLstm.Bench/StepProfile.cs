namespace EdgeLstm.Bench;

/// <summary>
/// Where a one-layer int8 step's time goes: each part of <c>QuantizedLstmSession.StepLayer</c> timed on its
/// own with the same kernels and buffers (quantizing h, the two matrix products, the gate update), next to the
/// whole step and to streaming reads of buffers the size of the weights. Everything is timed in turns
/// (<see cref="Timing.BestInterleaved"/>), so the ratios compare like with like.
/// </summary>
internal static class StepProfile
{
    public static void Run(int hidden)
    {
        var kernels = LstmKernels.CreateBest();
        var floatModel = RandomModels.Float(256, hidden);
        var model = RandomModels.Int8(floatModel);
        QuantizedLstmLayer layer = model.Layers[0];
        // 50% 1×16 block-sparse, the blocks chosen per matrix and per row (the same count in every row).
        QuantizedLstmLayer sparse = RandomModels.Int8(floatModel, "block:0.5").Layers[0];
        QuantizedLstmLayer sparseRows = RandomModels.Int8(floatModel, "block:0.5:row").Layers[0];
        int rows = 4 * hidden;
        var random = new Random(3);
        float[] h = Enumerable.Range(0, hidden).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] x = Enumerable.Range(0, 256).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] c = new float[hidden];
        var xq = new sbyte[256];
        var hq = new sbyte[hidden];
        var accIh = new int[rows];
        var accHh = new int[rows];
        const int batch = 64; // QuantizedLstmSession.PrefillChunk: prefill's batched input projections
        var xBatch = new sbyte[batch * 256];
        random.NextBytes((byte[])(Array)xBatch);
        var accBatch = new int[batch * rows];
        float xScale = kernels.Quantize(x, xq);
        float hScale = kernels.Quantize(h, hq);
        using var session = model.CreateSession(kernels);
        using var twoThreads = model.CreateSession(kernels, threads: 2);
        int token = 0;
        int ihBytes = rows * 256, hhBytes = rows * hidden, allBytes = ihBytes + hhBytes;
        var parts = new (string Name, Action Action, int Calls, int BoundBytes, int Vectors)[]
        {
            ("quantize h", () => kernels.Quantize(h, hq), 200, 0, 1),
            ($"W_ih · x ({rows}×256)", () => layer.WeightIh.MatVec(kernels, xq, accIh), 50, ihBytes, 1),
            ($"W_hh · h ({rows}×{hidden})", () => layer.WeightHh.MatVec(kernels, hq, accHh), 50, hhBytes, 1),
            ($"W_ih · x, 50% block-sparse", () => sparse.WeightIh.MatVec(kernels, xq, accIh), 50, ihBytes / 2, 1),
            ($"W_hh · h, 50% block-sparse", () => sparse.WeightHh.MatVec(kernels, hq, accHh), 50, hhBytes / 2, 1),
            ($"W_ih · x, 50% block-sparse, per row", () => sparseRows.WeightIh.MatVec(kernels, xq, accIh), 50, ihBytes / 2, 1),
            ($"W_hh · h, 50% block-sparse, per row", () => sparseRows.WeightHh.MatVec(kernels, hq, accHh), 50, hhBytes / 2, 1),
            ($"W_ih · X, {batch} vectors at once (prefill), per vector", () =>
                kernels.MatMul(layer.WeightIh.Dense, layer.WeightIh.RowSums, 256, xBatch, batch, accBatch), 1, 0, batch),
            ("both products, back to back", () =>
            {
                layer.WeightIh.MatVec(kernels, xq, accIh);
                layer.WeightHh.MatVec(kernels, hq, accHh);
            }, 50, allBytes, 1),
            // The gate update rewrites c; c is cleared each call so the inputs stay the same.
            ("gate update", () =>
            {
                kernels.GateUpdate(accIh, accHh, layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias, xScale, hScale, c, h);
                Array.Clear(c);
            }, 200, 0, 1),
            ("whole step (with the output layer, vocabulary 16)", () => session.Step(token = (token + 1) & 7), 50, allBytes, 1),
            ("whole step, 2 threads (half the rows each)", () => twoThreads.Step(token = (token + 1) & 7), 50, allBytes / 2, 1),
        };
        var actions = new List<(Action, int)>();
        foreach (var part in parts) actions.Add((part.Action, part.Calls));
        // Streaming reads of buffers the size of each part's weights, timed in the same rounds.
        var boundSizes = parts.Select(p => p.BoundBytes).Where(b => b > 0).Distinct().ToArray();
        foreach (int bytes in boundSizes) actions.Add((BandwidthProbe.Reader(bytes), Math.Max(1, 4_000_000 / bytes)));
        if (MultiplyAddProbe.IsSupported) actions.Add((MultiplyAddProbe.Runner(), 1));
        double[] best = Timing.BestInterleaved(actions);

        Console.WriteLine($"hidden {hidden}, input 256, kernels {kernels.Name}; µs, best of 41 interleaved rounds");
        Console.WriteLine();
        Console.WriteLine("| part | µs | read bound µs | vs bound |");
        Console.WriteLine("|---|---|---|---|");
        for (int i = 0; i < parts.Length; i++)
        {
            string bound = "", ratio = "";
            if (parts[i].BoundBytes > 0)
            {
                double boundUs = best[parts.Length + Array.IndexOf(boundSizes, parts[i].BoundBytes)];
                bound = boundUs.ToString("F2", CultureInfo.InvariantCulture);
                ratio = (best[i] / boundUs).ToString("F2", CultureInfo.InvariantCulture) + "x";
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {parts[i].Name} | {best[i] / parts[i].Vectors:F2} | {bound} | {ratio} |"));
        }
        Console.WriteLine();
        double batchedUs = best[Array.FindIndex(parts, p => p.Vectors > 1)] / batch;
        Console.WriteLine("read bound: one streaming read of a buffer as large as the weights involved (2 threads: half of them per core).");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batched W_ih · X: {(double)rows * 256 / batchedUs / 1000:F1} GMAC/s (one vector at a time: {(double)rows * 256 / best[1] / 1000:F1} GMAC/s)"));
        if (MultiplyAddProbe.IsSupported)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"vpdpbusd on registers, same rounds: {MultiplyAddProbe.MultiplyAddsPerCall / best[^1] / 1000:F1} GMAC/s"));
    }
}
