namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench runner-profile [hidden] [steps]`: where an int8 whole-sequence run's time goes, for one layer
/// direction of a word BiLSTM: the whole <see cref="Int8Recurrence"/> run against its parts timed alone (the
/// chunked input projections, and per step: quantizing h, W_hh·h, the gate update, copying h out).
/// </summary>
internal static class RunnerProfile
{
    public static void Run(int hidden = 64, int steps = 300)
    {
        // One direction of a word BiLSTM layer: input 64 (the embedding), hidden H.
        using QuantizedLstmModel q = RandomModels.Int8(RandomModels.Float(64, hidden));
        ILstmKernels kernels = LstmKernels.Default;
        QuantizedLstmLayer layer = q.Layers[0];
        int width = layer.InputSize, rows = 4 * hidden;
        var random = new Random(1);
        var xq = new sbyte[steps * width];
        for (int i = 0; i < xq.Length; i++) xq[i] = (sbyte)random.Next(-127, 128);
        var xScales = Enumerable.Repeat(0.01f, steps).ToArray();
        var h = new float[hidden];
        var c = new float[hidden];
        var outputs = new float[steps * 2 * hidden];
        using var recurrence = new Int8Recurrence(kernels, hidden);
        var projections = new int[64 * rows];
        var hq = new sbyte[hidden];
        var acc = new int[rows];
        for (int i = 0; i < hidden; i++) h[i] = (float)Math.Sin(i);
        double[] best = Timing.BestInterleaved(
        [
            (() => recurrence.Run(layer, xq, xScales, steps, false, h, c, 0f, outputs, 2 * hidden, 0), 20),
            (() => { for (int s = 0; s < steps; s += 64) layer.WeightIh.MatMul(kernels, xq.AsSpan(s * width, Math.Min(64, steps - s) * width), Math.Min(64, steps - s), projections); }, 20),
            (() => { for (int s = 0; s < steps; s++) kernels.Quantize(h, hq); }, 20),
            (() => { for (int s = 0; s < steps; s++) layer.WeightHh.MatVec(kernels, hq, acc); }, 20),
            (() => { var cc = new float[hidden]; for (int s = 0; s < steps; s++) kernels.GateUpdate(projections.AsSpan(0, rows), acc, layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias, 0.01f, 0.01f, cc, h); }, 20),
            (() => { for (int s = 0; s < steps; s++) h.AsSpan().CopyTo(outputs.AsSpan(s * 2 * hidden, hidden)); }, 20),
        ], rounds: 15);
        Console.WriteLine($"int8 recurrence, one direction, hidden {hidden}, {steps} steps, kernels {kernels.Name}: µs per run (per step)");
        string[] names = ["whole run", "projections (chunks of 64)", "quantize h", "W_hh·h", "gate update", "copy h out"];
        for (int i = 0; i < names.Length; i++) Console.WriteLine($"  {names[i],-28} {best[i],8:F1}  ({1000 * best[i] / steps:F0} ns)");
        Console.WriteLine($"  {"parts summed",-28} {best[1..].Sum(),8:F1}");
    }
}
