using System.Globalization;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Bench;

/// <summary>
/// Where a one-layer int8 step's time goes: each part of <c>QuantizedLstmSession.StepLayer</c> timed on its
/// own with the same kernels and buffers (quantizing h, the two matrix products, the gate update), next to the
/// whole step, so the gap between a step and its read bound can be attributed.
/// </summary>
internal static class StepProfile
{
    public static void Run(int hidden)
    {
        var kernels = LstmKernels.CreateBest();
        var model = RandomModels.Int8(RandomModels.Float(256, hidden), blockSparse: false);
        QuantizedLstmLayer layer = model.Layers[0];
        int rows = 4 * hidden;
        var random = new Random(3);
        float[] h = Enumerable.Range(0, hidden).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] c = new float[hidden];
        var xq = new sbyte[256];
        var hq = new sbyte[hidden];
        var accIh = new int[rows];
        var accHh = new int[rows];
        float xScale = kernels.Quantize(h.AsSpan(0, 256), xq);
        float hScale = kernels.Quantize(h, hq);

        double quantizeUs = Timing.BestMicroseconds(() => kernels.Quantize(h, hq), calls: 2000);
        double ihUs = Timing.BestMicroseconds(() => layer.WeightIh.MatVec(kernels, xq, accIh), calls: 1000);
        double hhUs = Timing.BestMicroseconds(() => layer.WeightHh.MatVec(kernels, hq, accHh), calls: 500);
        double bothUs = Timing.BestMicroseconds(() =>
        {
            layer.WeightIh.MatVec(kernels, xq, accIh);
            layer.WeightHh.MatVec(kernels, hq, accHh);
        }, calls: 500);
        // The gate update rewrites h and c; restore h's range each call so the inputs stay representative.
        float[] c0 = (float[])c.Clone();
        double gateUs = Timing.BestMicroseconds(() =>
        {
            kernels.GateUpdate(accIh, accHh, layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias, xScale, hScale, c, h);
            c0.CopyTo(c, 0);
        }, calls: 2000);
        using var session = model.CreateSession(kernels);
        int token = 0;
        double stepUs = Timing.BestMicroseconds(() => session.Step(token = (token + 1) & 7), calls: 500, warmupCalls: 2000);
        double ihGBs = BandwidthProbe.GigabytesPerSecond(rows * 256);
        double hhGBs = BandwidthProbe.GigabytesPerSecond(rows * hidden);
        double bothGBs = BandwidthProbe.GigabytesPerSecond(rows * (256 + hidden));

        Console.WriteLine($"hidden {hidden}, input 256, kernels {kernels.Name}; µs, best of 21 runs");
        Console.WriteLine();
        Console.WriteLine("| part | µs | read bound µs |");
        Console.WriteLine("|---|---|---|");
        void Row(string part, double us, double bound = 0) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {part} | {us:F2} | {(bound > 0 ? bound.ToString("F2", CultureInfo.InvariantCulture) : "")} |"));
        Row("quantize h", quantizeUs);
        Row($"W_ih · x ({rows}×256)", ihUs, rows * 256 / (ihGBs * 1000));
        Row($"W_hh · h ({rows}×{hidden})", hhUs, (double)rows * hidden / (hhGBs * 1000));
        Row("both products, back to back", bothUs, (double)rows * (256 + hidden) / (bothGBs * 1000));
        Row("gate update", gateUs);
        Row("sum of parts", quantizeUs + bothUs + gateUs);
        Row("whole step (incl. output layer, vocab 16)", stepUs);
    }
}
