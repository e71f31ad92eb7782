namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench runner-profile [hidden] [steps]`: where an int8 whole-sequence run's time goes, for one layer
/// direction of a word BiLSTM: the whole <see cref="Int8Recurrence"/> run against its parts timed alone (the
/// chunked input projections, and per step: quantizing h, W_hh·h, the gate update, copying h out); then the same
/// for the float recurrence (<see cref="FloatRecurrence"/>: projections, W_hh·h, the cell update).
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
        Float(hidden, steps);
    }

    private static void Float(int hidden, int steps)
    {
        FloatLstmModel model = RandomModels.Float(64, hidden);
        FloatLstmLayer layer = model.Layers[0];
        int width = layer.InputSize, rows = 4 * hidden;
        var random = new Random(2);
        var x = new float[steps * width];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var h = new float[hidden];
        var c = new float[hidden];
        var outputs = new float[steps * 2 * hidden];
        var scratch = new float[FloatRecurrence.ScratchLength(hidden, 1, steps)];
        var gates = new float[FloatRecurrence.Chunk * rows];
        for (int i = 0; i < hidden; i++) h[i] = 0.5f * (float)Math.Sin(i);
        double[] best = Timing.BestInterleaved(
        [
            (() => FloatRecurrence.Run(layer, x, steps, 1, false, h, c, outputs, 2 * hidden, 0, scratch), 20),
            (() => { for (int s = 0; s < steps; s += FloatRecurrence.Chunk) FloatMatVec.MultiplyAdd(layer.PackedIh, x.AsSpan(s * width, Math.Min(FloatRecurrence.Chunk, steps - s) * width), Math.Min(FloatRecurrence.Chunk, steps - s), gates); }, 20),
            (() => { for (int s = 0; s < steps; s++) FloatMatVec.MultiplyAdd(layer.PackedHh, h, gates.AsSpan(0, rows)); }, 20),
            (() => { var hh = new float[hidden]; var cc = new float[hidden]; for (int s = 0; s < steps; s++) { gates.AsSpan(0, rows).Fill(0.1f); FloatCellUpdate.Apply(gates.AsSpan(0, rows), hh, cc); } }, 20),
        ], rounds: 15);
        Console.WriteLine($"float recurrence, one direction, hidden {hidden}, {steps} steps, {FloatMatVec.BestWidth} lanes: µs per run (per step)");
        string[] names = ["whole run", $"projections (chunks of {FloatRecurrence.Chunk})", "W_hh·h", "cell update (and a fill)"];
        for (int i = 0; i < names.Length; i++) Console.WriteLine($"  {names[i],-28} {best[i],8:F1}  ({1000 * best[i] / steps:F0} ns)");
        Console.WriteLine($"  {"parts summed",-28} {best[1..].Sum(),8:F1}");
    }
}
