namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train vectors` (defaults near word2vec's skip-gram: window 5, 5 negatives, sample 1e-3).</summary>
public sealed record SkipGramOptions : TrainerOptions
{
    public SkipGramOptions() : base(dropout: 0, batchSize: 1024, epochs: 5, patience: 1, learningRate: 2e-3) { }

    public int Dimension { get; init; } = 64;
    /// <summary>Largest distance of a context word; each centre word draws its window from 1..Window (word2vec's dynamic window).</summary>
    public int Window { get; init; } = 5;
    public int Negatives { get; init; } = 5;
    public int MinCount { get; init; } = 5;
    public int MaxVocabulary { get; init; } = 50000;
    /// <summary>The subsampling threshold t: a word of frequency f is kept with probability min(1, √(t/f)); 0 keeps every word.</summary>
    public double Sample { get; init; } = 1e-3;
    public bool Lowercase { get; init; } = true;

    protected override void ValidateTask()
    {
        if (Dimension is < 1 or > 4096) throw new ArgumentException($"--dim must be 1..4096, got {Dimension}");
        if (Window is < 1 or > 100) throw new ArgumentException($"--window must be 1..100, got {Window}");
        if (Negatives is < 1 or > 100) throw new ArgumentException($"--negatives must be 1..100, got {Negatives}");
        if (MinCount < 1) throw new ArgumentException($"--min-count must be ≥ 1, got {MinCount}");
        if (MaxVocabulary < 2) throw new ArgumentException($"--max-vocabulary must be ≥ 2, got {MaxVocabulary}");
        if (Sample is < 0 or >= 1) throw new ArgumentException($"--sample must be in [0, 1), got {Sample}");
    }
}
