namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train tag` (defaults: a 2-layer BiLSTM 128 over characters).</summary>
public sealed record TaggerOptions
{
    public int EmbeddingDim { get; init; } = 64;
    public int HiddenSize { get; init; } = 128;
    public int Layers { get; init; } = 2;
    public bool Bidirectional { get; init; } = true;
    public double Dropout { get; init; } = 0.2;
    public double LearningRate { get; init; } = 2e-3;
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 10;
    public int Patience { get; init; } = 2;
    public int MinCount { get; init; } = 2;
    /// <summary>Training lines are cut into windows of at most this many characters.</summary>
    public int Window { get; init; } = 64;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Seed { get; init; } = 42;

    public void Validate()
    {
        if (EmbeddingDim is < 1 or > 4096) throw new ArgumentException($"--embedding-dim must be 1..4096, got {EmbeddingDim}");
        if (HiddenSize is < 1 or > 4096) throw new ArgumentException($"--hidden-size must be 1..4096, got {HiddenSize}");
        if (Layers is < 1 or > 8) throw new ArgumentException($"--layers must be 1..8, got {Layers}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"--dropout must be in [0, 1), got {Dropout}");
        if (LearningRate <= 0) throw new ArgumentException($"--lr must be > 0, got {LearningRate}");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size must be ≥ 1, got {BatchSize}");
        if (Epochs < 1) throw new ArgumentException($"--epochs must be ≥ 1, got {Epochs}");
        if (Patience < 1) throw new ArgumentException($"--patience must be ≥ 1, got {Patience}");
        if (MinCount < 1) throw new ArgumentException($"--min-count must be ≥ 1, got {MinCount}");
        if (Window < 2) throw new ArgumentException($"--window must be ≥ 2, got {Window}");
        if (Threads < 1) throw new ArgumentException($"--threads must be ≥ 1, got {Threads}");
    }
}
