namespace EdgeLstm.Runtime.Sampling;

/// <summary>
/// How the next token is chosen. Temperature 0 is greedy (arg max). Otherwise the logits are divided by the
/// temperature and soft-maxed; top-k keeps the k most likely tokens (0 = all); top-p then keeps the smallest
/// set of the most likely remaining tokens whose renormalised probability reaches p (1 = all).
/// </summary>
public sealed record SamplingOptions(float Temperature = 0.8f, int TopK = 0, float TopP = 1f, ulong Seed = 42)
{
    public static SamplingOptions Greedy { get; } = new(Temperature: 0f);

    /// <summary>Throws <see cref="ArgumentException"/> naming the option when a value is out of range.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
            throw new ArgumentException($"--temperature must be a finite number ≥ 0, got {Temperature}");
        if (TopK < 0)
            throw new ArgumentException($"--top-k must be ≥ 0 (0 keeps every token), got {TopK}");
        if (!(TopP > 0f && TopP <= 1f))
            throw new ArgumentException($"--top-p must be in (0, 1], got {TopP}");
    }
}
