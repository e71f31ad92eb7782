namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// How many cores an int8 encoder uses: 1, 2, or <see cref="Auto"/> (0): two only where the second core pays for
/// its hand-overs. A bidirectional model runs each bidirectional layer's reverse direction on the second core, one
/// hand-over per layer and run: that paid even for the sentiment BiLSTM of 64 (`bench pareto`, 2026-11-26: 2.34x
/// against 1.23x ORT int8 a sentence), so auto takes two cores for any model with a bidirectional layer. A
/// forward-only model splits each layer's units every step, two hand-overs a layer and step, which pays only for
/// large layers: `bench steps` (one layer, input = hidden; one thread → two, µs a step, two runs on 2026-12-06)
/// 96: 2.59 → 3.25 and 2.92 → 4.17; 128: 3.29 → 3.12 and 3.50 → 3.24; 192: 5.19 → 4.08 and 5.70 → 6.43; 256: 7.12 →
/// 5.17 and 8.47 → 9.21 (this VM's second vCPU is often taken by others); the births forecaster (hidden 64) took 2.6
/// against 1.5 µs. So auto splits units from a hidden-128 layer's step, 4·128·(128 + 128) multiply-adds, and only
/// when the process has two cores.
/// </summary>
public static class EncoderThreads
{
    /// <summary>threads = 0: let the model's size decide (C ABI `threads = 0`, CLI `--threads auto`).</summary>
    public const int Auto = 0;

    /// <summary>The largest layer's multiply-adds a step from which <see cref="Auto"/> splits a forward-only model's units over two cores.</summary>
    public const long TwoCoresFrom = 4L * 128 * (128 + 128);

    /// <summary>1 or 2 as given; <see cref="Auto"/> resolved for the model; anything else is an error.</summary>
    public static int Resolve(ModelDescription description, int threads) => threads switch
    {
        1 or 2 => threads,
        Auto => Environment.ProcessorCount >= 2 && (description.IsBidirectional || LargestLayerStep(description) >= TwoCoresFrom) ? 2 : 1,
        _ => throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 0 (auto), 1 or 2"),
    };

    /// <summary>Multiply-adds of one step of the largest layer direction: 4H·(input + H).</summary>
    public static long LargestLayerStep(ModelDescription d)
    {
        long largest = 0;
        for (int k = 0; k < d.Encoder.Length; k++)
            largest = Math.Max(largest, 4L * d.Encoder[k].Hidden * (d.LayerInputWidth(k) + d.Encoder[k].Hidden));
        return largest;
    }
}
