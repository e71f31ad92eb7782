namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train tag` (defaults: a 2-layer BiLSTM 128 over characters).</summary>
public sealed record TaggerOptions : TrainerOptions
{
    public TaggerOptions() : base(dropout: 0.2, batchSize: 64, epochs: 10, patience: 2) { }

    public int EmbeddingDim { get; init; } = 64;
    public int HiddenSize { get; init; } = 128;
    public int Layers { get; init; } = 2;
    public bool Bidirectional { get; init; } = true;
    public int MinCount { get; init; } = 2;
    /// <summary>Training lines are cut into windows of at most this many characters.</summary>
    public int Window { get; init; } = 64;
    /// <summary>A CRF over the tags (transitions learned, Viterbi decoding) instead of an independent softmax per step.</summary>
    public bool Crf { get; init; }
    /// <summary>Word taggers (CoNLL): most frequent training words kept, lower-casing, digits read as 0.</summary>
    public int MaxVocabulary { get; init; } = 50000;
    public bool Lowercase { get; init; }
    public bool ZeroDigits { get; init; }
    /// <summary>Words outside the vocabulary as their spelling class's token (<see cref="WordTokenizer.UnknownShapes"/>).</summary>
    public bool UnknownShapes { get; init; }
    /// <summary>Word taggers: hashed prefix, suffix and shape embeddings of each word beside its embedding (input.affixes).</summary>
    public bool Affixes { get; init; }
    public int AffixSize { get; init; } = 32;
    public int AffixBuckets { get; init; } = 1 << 15;
    public int Prefixes { get; init; } = 3;
    public int Suffixes { get; init; } = 4;
    /// <summary>Word taggers: a character BiLSTM over each word beside its embedding (input.characters; trainer-side, measured against the affixes).</summary>
    public bool CharEncoder { get; init; }
    public int CharSize { get; init; } = 32;
    public int CharHidden { get; init; } = 32;

    protected override void ValidateTask()
    {
        if (EmbeddingDim is < 1 or > 4096) throw new ArgumentException($"--embedding-dim must be 1..4096, got {EmbeddingDim}");
        if (HiddenSize is < 1 or > 4096) throw new ArgumentException($"--hidden-size must be 1..4096, got {HiddenSize}");
        if (Layers is < 1 or > 8) throw new ArgumentException($"--layers must be 1..8, got {Layers}");
        if (MinCount < 1) throw new ArgumentException($"--min-count must be ≥ 1, got {MinCount}");
        if (Window < 2) throw new ArgumentException($"--window must be ≥ 2, got {Window}");
        if (AffixSize is < 1 or > 4096) throw new ArgumentException($"--affix-size must be 1..4096, got {AffixSize}");
        if (CharSize is < 1 or > 1024) throw new ArgumentException($"--char-size must be 1..1024, got {CharSize}");
        if (CharHidden is < 1 or > 1024) throw new ArgumentException($"--char-hidden must be 1..1024, got {CharHidden}");
        if (AffixBuckets is < 1 or > 1 << 22) throw new ArgumentException($"--affix-buckets must be 1..{1 << 22}, got {AffixBuckets}");
    }
}
