namespace EdgeLstm.Bench;

/// <summary>
/// Whole-step latencies, batch 1, one thread unless stated: a one-layer LSTM (input 256, vocabulary 16, so the
/// output layer is ~1% of the work) at hidden 256/512/1024, int8 dense and 50% 1×16 block-sparse (blocks chosen per matrix and per row) on the best
/// kernels, the float runtimes (scalar reference and vectorized), and the peers on the same weights — libtorch's float
/// step and ONNX Runtime's float LSTM and int8 DynamicQuantizeLSTM — all in this run.
/// </summary>
internal static class StepHarness
{
    public static void Run(int[] hiddens)
    {
        torch.set_num_threads(1);
        var best = LstmKernels.CreateBest();
        // The peak of the product form these kernels run (ProductFormProbe), timed in turns with the steps.
        var peak = ProductFormProbe.For(best.Name);
        string peakText = peak is { } form
            ? $"multiply-add bound: the step's int8 multiply-adds over one core's rate with {form.Form} on L1-resident weights (`bench products`), measured in this run; dense vs that: the step's time over it (and the rate it reached)."
            : $"multiply-add bound: no probe of {best.Name}'s product form on this CPU (NEON and scalar forms are not probed).";
        Console.WriteLine($"kernels: {best.Name}; libtorch and ONNX Runtime threads: 1; µs per step; int8 (ours and ONNX Runtime's) and the read bound: best of 41 interleaved rounds");
        Console.WriteLine();
        Console.WriteLine("| hidden | int8 weights | int8 dense | int8 dense, 2 threads | int8 50% block | int8 50% block, per row | int8 batch 8, per stream | read bound | dense vs bound | multiply-add bound | dense vs that | float scalar ref | float vectorized | float batch 8, per stream | libtorch nn.LSTM | libtorch addmm step | libtorch batch 8, per stream | ORT float LSTM | ORT int8 DynamicQuantizeLSTM | dense vs best libtorch | dense vs ORT int8 | block vs dense | block per row vs dense | int4 | int4, 2 threads | int4 vs int8 dense | int4 vs ORT int8 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var peerChecks = new List<string>();
        foreach (int hidden in hiddens)
        {
            var model = RandomModels.Float(256, hidden);
            peerChecks.Add(OnnxRuntimeCheck(model));
            var dense = RandomModels.Int8(model);
            var sparse = RandomModels.Int8(model, "block:0.5");
            var sparseRows = RandomModels.Int8(model, "block:0.5:row");
            var int4 = RandomModels.Int4(model);
            long weightBytes = 4L * hidden * (256 + hidden);
            // The int8 variants and the roofline's streaming read are timed in turns, so their ratios come from the
            // same moments of this noisy VM. The read bound: streaming the weight bytes once from wherever a buffer
            // of that size lives (L2 or L3 here), measured now rather than assumed.
            using var denseSession = dense.CreateSession(best);
            using var sparseSession = sparse.CreateSession(best);
            using var sparseRowsSession = sparseRows.CreateSession(best);
            using var twoSession = dense.CreateSession(best, threads: 2);
            using var int4Session = int4.CreateSession(best);
            using var int4TwoSession = int4.CreateSession(best, threads: 2);
            var batch = new QuantizedLstmBatch(dense, best, 8);
            var batchTokens = new int[8];
            int token = 0;
            using var ortInt8 = new OnnxRuntimeStep(model.Layers[0], quantized: true);
            var ortInput = model.Embedding.AsMemory(0, 256);
            double[] t = Timing.BestInterleaved(
            [
                (() => denseSession.Step(token = (token + 1) & 7), 50),
                (() => sparseSession.Step(token = (token + 1) & 7), 50),
                (() => twoSession.Step(token = (token + 1) & 7), 50),
                (() =>
                {
                    for (int b = 0; b < 8; b++) batchTokens[b] = (batchTokens[b] + b + 1) & 7;
                    batch.Step(batchTokens);
                }, 10),
                (BandwidthProbe.Reader((int)weightBytes), Math.Max(1, (int)(4_000_000 / weightBytes))),
                (() => ortInt8.Step(ortInput.Span), 20),
                (peak?.Run ?? (() => { }), 1),
                (() => sparseRowsSession.Step(token = (token + 1) & 7), 50),
                (() => int4Session.Step(token = (token + 1) & 7), 50),
                (() => int4TwoSession.Step(token = (token + 1) & 7), 50),
            ]);
            double denseUs = t[0], sparseUs = t[1], twoUs = t[2], batchUs = t[3] / 8, boundUs = t[4], ortInt8Us = t[5], sparseRowsUs = t[7], int4Us = t[8], int4TwoUs = t[9];
            long macs = 4L * hidden * (256 + hidden);
            string macBound = "", macRatio = "";
            if (peak is { } p)
            {
                double macBoundUs = t[6] * macs / p.MultiplyAdds;
                macBound = string.Create(CultureInfo.InvariantCulture, $"{macBoundUs:F2} ({p.MultiplyAdds / t[6] / 1000:F0} GMAC/s)");
                macRatio = string.Create(CultureInfo.InvariantCulture, $"{denseUs / macBoundUs:F2}x ({macs / denseUs / 1000:F0} GMAC/s)");
            }
            double bandwidth = weightBytes / (boundUs * 1000);
            var floatSession = model.CreateReferenceSession();
            double floatUs = Timing.BestMicroseconds(() => floatSession.Step(1), calls: 20, runs: 7, warmupCalls: 20);
            var floatVector = model.CreateSession();
            double floatVectorUs = Timing.BestMicroseconds(() => floatVector.Step(1), calls: 50, runs: 11, warmupCalls: 50);
            var floatBatch = new FloatLstmBatch(model, 8);
            double floatBatchUs = Timing.BestMicroseconds(() =>
            {
                for (int b = 0; b < 8; b++) batchTokens[b] = (batchTokens[b] + b + 1) & 7;
                floatBatch.Step(batchTokens);
            }, calls: 10, runs: 11, warmupCalls: 10) / 8;
            using var torchStep = new TorchSharpStep(model.Layers[0]);
            double moduleUs = Timing.BestMicroseconds(torchStep.LstmModuleStep, calls: 50, runs: 11, warmupCalls: 50);
            double addmmUs = Timing.BestMicroseconds(torchStep.HandWrittenStep, calls: 50, runs: 11, warmupCalls: 50);
            using var torchBatch = new TorchSharpStep(model.Layers[0], batch: 8);
            double torchBatchUs = Math.Min(
                Timing.BestMicroseconds(torchBatch.LstmModuleStep, calls: 20, runs: 11, warmupCalls: 20),
                Timing.BestMicroseconds(torchBatch.HandWrittenStep, calls: 20, runs: 11, warmupCalls: 20)) / 8;
            using var ortFloat = new OnnxRuntimeStep(model.Layers[0], quantized: false);
            double ortFloatUs = Timing.BestMicroseconds(() => ortFloat.Step(ortInput.Span), calls: 20, runs: 11, warmupCalls: 20);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {hidden} | {weightBytes / 1e6:F2} MB | {denseUs:F2} | {twoUs:F2} | {sparseUs:F2} | {sparseRowsUs:F2} | {batchUs:F2} | {boundUs:F2} ({bandwidth:F0} GB/s) | {denseUs / boundUs:F2}x | {macBound} | {macRatio} | {floatUs:F0} | {floatVectorUs:F1} | {floatBatchUs:F1} | {moduleUs:F1} | {addmmUs:F1} | {torchBatchUs:F1} | {ortFloatUs:F1} | {ortInt8Us:F2} | {Math.Min(moduleUs, addmmUs) / denseUs:F1}x | {ortInt8Us / denseUs:F2}x | {denseUs / sparseUs:F2}x | {denseUs / sparseRowsUs:F2}x | {int4Us:F2} | {int4TwoUs:F2} | {denseUs / int4Us:F2}x | {ortInt8Us / int4Us:F2}x |"));
        }
        Console.WriteLine();
        Console.WriteLine("read bound: the weight bytes over the streaming-read rate of a buffer of the same size, measured in this run.");
        Console.WriteLine(peakText);
        foreach (string check in peerChecks) Console.WriteLine(check);
    }

    /// <summary>
    /// Shows that ONNX Runtime runs the same LSTM: the hidden state after 32 steps against our scalar float
    /// reference (float LSTM: rounding only; int8: ORT's own quantization error).
    /// </summary>
    private static string OnnxRuntimeCheck(FloatLstmModel model)
    {
        int input = model.InputWidth, hidden = model.HiddenSize;
        var reference = model.CreateReferenceSession();
        using var ortFloat = new OnnxRuntimeStep(model.Layers[0], quantized: false);
        using var ortInt8 = new OnnxRuntimeStep(model.Layers[0], quantized: true);
        for (int step = 0; step < 32; step++)
        {
            int token = step * 5 % model.OutputSize;
            reference.Step(token);
            var x = model.Embedding.AsSpan(token * input, input);
            ortFloat.Step(x);
            ortInt8.Step(x);
        }
        var state = new float[reference.StateLength];
        reference.SaveState(state);
        var h = state.AsSpan(0, hidden);
        float floatDiff = 0, int8Diff = 0;
        for (int i = 0; i < hidden; i++)
        {
            floatDiff = Math.Max(floatDiff, Math.Abs(ortFloat.Hidden[i] - h[i]));
            int8Diff = Math.Max(int8Diff, Math.Abs(ortInt8.Hidden[i] - h[i]));
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"hidden {hidden}: ONNX Runtime against our float reference after 32 steps, max |h difference|: float LSTM {floatDiff:G2}, int8 DynamicQuantizeLSTM {int8Diff:G2}");
    }

    private static double TimeInt8(QuantizedLstmModel model, ILstmKernels kernels, int threads = 1)
    {
        using var session = model.CreateSession(kernels, threads);
        int token = 0;
        return Timing.BestMicroseconds(() => session.Step(token = (token + 1) & 7), calls: 500, runs: 21, warmupCalls: 2000);
    }

    /// <summary>The committed default model: whole steps (embedding, its LSTM layers, output layer) and prompt prefill.</summary>
    public static void DefaultModel(string elstmPath, string safetensorsPath)
    {
        var best = LstmKernels.CreateBest();
        var int8 = (QuantizedLstmModel)EdgeLstm.Runtime.Format.CompactModelLoader.Load(elstmPath);
        var floatModel = FloatLstmModel.Load(safetensorsPath);
        int vocab = int8.OutputSize;
        double oneUs = TimeInt8(int8, best);
        double twoUs = TimeInt8(int8, best, threads: 2);
        var floatSession = floatModel.CreateReferenceSession();
        int t = 0;
        double floatUs = Timing.BestMicroseconds(() => floatSession.Step(t = (t + 1) % vocab), calls: 50, runs: 11, warmupCalls: 50);
        var floatVector = floatModel.CreateSession();
        double floatVectorUs = Timing.BestMicroseconds(() => floatVector.Step(t = (t + 1) % vocab), calls: 50, runs: 11, warmupCalls: 50);
        // Batches of 8 streams, per stream: each weight row read once for all eight.
        var tokens = new int[8];
        void NextTokens() { for (int b = 0; b < 8; b++) tokens[b] = (tokens[b] + b + 1) % vocab; }
        var int8Batch = new QuantizedLstmBatch(int8, best, 8);
        double int8BatchUs = Timing.BestMicroseconds(() => { NextTokens(); int8Batch.Step(tokens); }, calls: 10, runs: 11, warmupCalls: 10) / 8;
        var floatBatch = new FloatLstmBatch(floatModel, 8);
        double floatBatchUs = Timing.BestMicroseconds(() => { NextTokens(); floatBatch.Step(tokens); }, calls: 5, runs: 11, warmupCalls: 5) / 8;
        var prompt = Enumerable.Range(0, 256).Select(i => 1 + i * 7 % (vocab - 1)).ToArray();
        var session = int8.CreateSession(best);
        using var session2 = int8.CreateSession(best, threads: 2);
        // Prefill and stepping in turns (best of 21 rounds each), so their ratios come from the same moments.
        double[] prompted = Timing.BestInterleaved(
        [
            (() => { session.Reset(); session.Prefill(prompt); }, 3),
            (() => { session.Reset(); foreach (int p in prompt) session.Step(p); }, 3),
            (() => { session2.Reset(); session2.Prefill(prompt); }, 3),
            (() => { session2.Reset(); foreach (int p in prompt) session2.Step(p); }, 3),
        ], rounds: 21);
        Console.WriteLine($"default model ({best.Name}), µs per step, best of 21 runs (prompt: 21 interleaved rounds):");
        Console.WriteLine();
        Console.WriteLine("| int8, 1 thread | int8, 2 threads | int8 batch 8, per stream | float scalar reference | float vectorized | float batch 8, per stream " +
            "| 256-char prompt: prefill per char | stepping per char | prefill speed-up | 2 threads: prefill per char | stepping per char | prefill speed-up |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {oneUs:F2} | {twoUs:F2} | {int8BatchUs:F2} | {floatUs:F0} | {floatVectorUs:F1} | {floatBatchUs:F1} " +
            $"| {prompted[0] / 256:F2} | {prompted[1] / 256:F2} | {prompted[1] / prompted[0]:F2}x " +
            $"| {prompted[2] / 256:F2} | {prompted[3] / 256:F2} | {prompted[3] / prompted[2]:F2}x |"));
    }

    public static void Kernels(int hidden)
    {
        var model = RandomModels.Float(256, hidden);
        var dense = RandomModels.Int8(model);
        long macs = 4L * hidden * (256 + hidden);
        Console.WriteLine($"| variant | µs per step (hidden {hidden}, input 256) | GMAC/s |");
        Console.WriteLine("|---|---|---|");
        foreach (var kernels in LstmKernels.AllSupported())
        {
            double us = TimeInt8(dense, kernels);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kernels.Name} | {us:F2} | {macs / us / 1000:F1} |"));
        }
    }

    public static void Bandwidth()
    {
        Console.WriteLine("| working set | streaming read GB/s |");
        Console.WriteLine("|---|---|");
        foreach (int kb in new[] { 32, 256, 512, 768, 1024, 2048, 4096, 16384, 262144 })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kb} KB | {BandwidthProbe.GigabytesPerSecond(kb * 1024):F1} |"));
        if (MultiplyAddProbe.IsSupported)
        {
            double us = Timing.BestMicroseconds(MultiplyAddProbe.Runner(), calls: 20, runs: 21, warmupCalls: 20);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"int8 multiply-adds on registers (vpdpbusd, 256-bit, 16 accumulators): {MultiplyAddProbe.MultiplyAddsPerCall / us / 1000:F1} GMAC/s on one core"));
        }
    }
}
