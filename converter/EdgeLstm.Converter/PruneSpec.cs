namespace EdgeLstm.Converter;

public enum PruneMethod
{
    None,
    /// <summary>Zero the smallest-magnitude weights of each matrix (or of all matrices together, <see cref="PruneSpec.Global"/>).</summary>
    Magnitude,
    /// <summary>Zero the 1×16 row blocks with the smallest L2 norm in each matrix (or in each row, <see cref="PruneSpec.PerRow"/>).</summary>
    Block,
    /// <summary>Remove whole hidden units of every layer, giving a smaller dense model.</summary>
    Units,
}

/// <summary>
/// A `--prune` value: <c>magnitude:0.5</c> (per matrix), <c>magnitude:0.5:global</c>, <c>block:0.5</c>,
/// <c>block:0.5:row</c> (the same number of blocks removed from every row) or <c>units:0.25</c>. The number is
/// the fraction removed. Pruned: the LSTM and output matrices, never the embedding or the biases.
/// </summary>
public sealed record PruneSpec(PruneMethod Method, double Fraction, bool Global = false, bool PerRow = false)
{
    public static PruneSpec None { get; } = new(PruneMethod.None, 0);

    public static PruneSpec Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "none") return None;
        string[] parts = text.Split(':');
        var method = parts[0] switch
        {
            "magnitude" => PruneMethod.Magnitude,
            "block" => PruneMethod.Block,
            "units" => PruneMethod.Units,
            _ => throw Usage(text),
        };
        if (parts.Length < 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction)
            || !(fraction >= 0 && fraction < 1))
            throw Usage(text);
        bool global = parts.Length == 3 && parts[2] == "global" && method == PruneMethod.Magnitude;
        bool perRow = parts.Length == 3 && parts[2] == "row" && method == PruneMethod.Block;
        if (parts.Length > 3 || (parts.Length == 3 && !global && !perRow)) throw Usage(text);
        return new PruneSpec(method, fraction, global, perRow);
    }

    public override string ToString() => Method switch
    {
        PruneMethod.None => "none",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Method.ToString().ToLowerInvariant()}:{Fraction}{(Global ? ":global" : PerRow ? ":row" : "")}"),
    };

    private static ArgumentException Usage(string text) =>
        new($"--prune '{text}' is not understood; expected magnitude:F, magnitude:F:global, block:F, block:F:row or units:F with F in [0, 1)");
}
