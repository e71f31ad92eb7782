namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train classify` (defaults: a 1-layer BiLSTM 64 with max pooling, word tokens).</summary>
public sealed record ClassifierOptions
{
    public int EmbeddingDim { get; init; } = 64;
    public int HiddenSize { get; init; } = 64;
    public int Layers { get; init; } = 1;
    public bool Bidirectional { get; init; } = true;
    public string Pooling { get; init; } = Runtime.Poolings.Max;
    public double Dropout { get; init; } = 0.5;
    public double LearningRate { get; init; } = 2e-3;
    public int BatchSize { get; init; } = 32;
    public int Epochs { get; init; } = 30;
    public int Patience { get; init; } = 5;
    public int MaxVocabulary { get; init; } = 20000;
    public int MinCount { get; init; } = 2;
    /// <summary>Longer texts are cut to their first tokens (emails).</summary>
    public int MaxTokens { get; init; } = 400;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Seed { get; init; } = 42;
    public bool Quiet { get; init; }
    /// <summary>Unlabelled text to pretrain the embedding and LSTM on as word language models (<see cref="WordLmPretrainer"/>), or null.</summary>
    public string? PretrainText { get; init; }
    public int PretrainBatches { get; init; } = 400;

    public void Validate()
    {
        if (EmbeddingDim is < 1 or > 4096) throw new ArgumentException($"--embedding-dim must be 1..4096, got {EmbeddingDim}");
        if (HiddenSize is < 1 or > 4096) throw new ArgumentException($"--hidden-size must be 1..4096, got {HiddenSize}");
        if (Layers is < 1 or > 8) throw new ArgumentException($"--layers must be 1..8, got {Layers}");
        if (Pooling is not (Runtime.Poolings.Last or Runtime.Poolings.Mean or Runtime.Poolings.Max or Runtime.Poolings.Attention))
            throw new ArgumentException($"--pooling must be last, mean, max or attention, got '{Pooling}'");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"--dropout must be in [0, 1), got {Dropout}");
        if (LearningRate <= 0) throw new ArgumentException($"--lr must be > 0, got {LearningRate}");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size must be ≥ 1, got {BatchSize}");
        if (Epochs < 1) throw new ArgumentException($"--epochs must be ≥ 1, got {Epochs}");
        if (Patience < 1) throw new ArgumentException($"--patience must be ≥ 1, got {Patience}");
        if (MaxVocabulary < 3) throw new ArgumentException($"--max-vocabulary must be ≥ 3, got {MaxVocabulary}");
        if (MinCount < 1) throw new ArgumentException($"--min-count must be ≥ 1, got {MinCount}");
        if (MaxTokens < 1) throw new ArgumentException($"--max-tokens must be ≥ 1, got {MaxTokens}");
        if (Threads < 1) throw new ArgumentException($"--threads must be ≥ 1, got {Threads}");
        if (PretrainBatches < 1) throw new ArgumentException($"--pretrain-batches must be ≥ 1, got {PretrainBatches}");
    }
}
