namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// How many cores an int8 encoder uses: 1, 2, or <see cref="Auto"/> (0): two only where the second core pays for
/// its hand-overs. A second core splits each forward layer's units every step, or runs each bidirectional layer's
/// reverse direction; either way it pays only when a layer direction's step is large. Measured with `bench steps`
/// (one layer, input = hidden): at hidden 64 two threads were slower (the births forecaster's step took 2.6 µs on
/// two against 1.5 on one), at 128 about level to 1.1x faster, above that faster. So auto takes two cores from the
/// multiply-adds of a hidden-128 layer direction, 4·128·(128 + 128), when the process has two.
/// </summary>
public static class EncoderThreads
{
    /// <summary>threads = 0: let the model's size decide (C ABI `threads = 0`, CLI `--threads auto`).</summary>
    public const int Auto = 0;

    /// <summary>The largest layer direction's multiply-adds a step from which <see cref="Auto"/> takes two cores.</summary>
    public const long TwoCoresFrom = 4L * 128 * (128 + 128);

    /// <summary>1 or 2 as given; <see cref="Auto"/> resolved for the model; anything else is an error.</summary>
    public static int Resolve(ModelDescription description, int threads) => threads switch
    {
        1 or 2 => threads,
        Auto => Environment.ProcessorCount >= 2 && LargestLayerStep(description) >= TwoCoresFrom ? 2 : 1,
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
