namespace EdgeLstm.Runtime.Sampling;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose stream is fixed by its seed on every
/// platform and .NET version, so a seed reproduces the same text from the CLI, the library and the C ABI.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
