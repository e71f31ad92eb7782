namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train classify` (defaults: a 1-layer BiLSTM 64 with max pooling, word tokens).</summary>
public sealed record ClassifierOptions : TrainerOptions
{
    public ClassifierOptions() : base(dropout: 0.5, batchSize: 32, epochs: 30, patience: 5) { }

    public int EmbeddingDim { get; init; } = 64;
    public int HiddenSize { get; init; } = 64;
    public int Layers { get; init; } = 1;
    public bool Bidirectional { get; init; } = true;
    public string Pooling { get; init; } = Runtime.Poolings.Max;
    /// <summary>"word" (lower-cased words and punctuation, <see cref="WordTokenizer"/>) or "char" (code points: Chinese text, a GAN's discriminator).</summary>
    public string Tokenizer { get; init; } = TokenizerKinds.Word;
    public int MaxVocabulary { get; init; } = 20000;
    public int MinCount { get; init; } = 2;
    /// <summary>Longer texts are cut to their first tokens (emails).</summary>
    public int MaxTokens { get; init; } = 400;
    /// <summary>Unlabelled text to pretrain the embedding and LSTM on as word language models (<see cref="WordLmPretrainer"/>), or null.</summary>
    public string? PretrainText { get; init; }
    public int PretrainBatches { get; init; } = 400;
    /// <summary>Word vectors the embedding starts from (rows of words without one stay random), or null.</summary>
    public WordVectors? InitEmbedding { get; init; }
    /// <summary>Keep the embedding at its starting values (with <see cref="InitEmbedding"/>).</summary>
    public bool FreezeEmbedding { get; init; }
    /// <summary>With <see cref="InitEmbedding"/>: the vocabulary also takes the vectors' words (most frequent first, up to MaxVocabulary), so words the training texts lack still have a meaning.</summary>
    public bool VectorWords { get; init; }
    /// <summary>Unlabelled lines for per-split word vectors (<see cref="FoldVectors"/>): each split's embedding starts from vectors trained on them plus its training texts; or null.</summary>
    public IReadOnlyList<string>? FoldVectorsText { get; init; }
    /// <summary>Skip-gram epochs of the per-split vectors.</summary>
    public int FoldVectorsEpochs { get; init; } = 5;

    /// <summary>The tokenizer of <see cref="Tokenizer"/>'s kind from the training texts (tokens seen fewer than MinCount times are unknown).</summary>
    public ITokenizer BuildTokenizer(IEnumerable<string> texts) => Tokenizer == TokenizerKinds.Char
        ? CharTokenizer.FromText(string.Concat(texts), MinCount)
        : WordTokenizer.Build(texts, MaxVocabulary, MinCount, lowercase: true);

    protected override void ValidateTask()
    {
        if (EmbeddingDim is < 1 or > 4096) throw new ArgumentException($"--embedding-dim must be 1..4096, got {EmbeddingDim}");
        if (HiddenSize is < 1 or > 4096) throw new ArgumentException($"--hidden-size must be 1..4096, got {HiddenSize}");
        if (Layers is < 1 or > 8) throw new ArgumentException($"--layers must be 1..8, got {Layers}");
        if (Pooling is not (Runtime.Poolings.Last or Runtime.Poolings.Mean or Runtime.Poolings.Max or Runtime.Poolings.Attention))
            throw new ArgumentException($"--pooling must be last, mean, max or attention, got '{Pooling}'");
        if (Tokenizer is not (TokenizerKinds.Word or TokenizerKinds.Char)) throw new ArgumentException($"--tokenizer must be word or char, got '{Tokenizer}'");
        if (Tokenizer == TokenizerKinds.Char && (InitEmbedding is not null || PretrainText is not null || FoldVectorsText is not null))
            throw new ArgumentException($"{(InitEmbedding is not null ? "--init-embedding" : PretrainText is not null ? "--pretrain" : "--fold-vectors")} starts word embeddings; it needs --tokenizer word");
        if (MaxVocabulary < 3) throw new ArgumentException($"--max-vocabulary must be ≥ 3, got {MaxVocabulary}");
        if (MinCount < 1) throw new ArgumentException($"--min-count must be ≥ 1, got {MinCount}");
        if (MaxTokens < 1) throw new ArgumentException($"--max-tokens must be ≥ 1, got {MaxTokens}");
        if (InitEmbedding is not null && InitEmbedding.Dimension != EmbeddingDim)
            throw new ArgumentException($"--init-embedding: the vectors have {InitEmbedding.Dimension} values a word, --embedding-dim is {EmbeddingDim}; make them equal");
        if ((FreezeEmbedding || VectorWords) && InitEmbedding is null && FoldVectorsText is null)
            throw new ArgumentException($"{(FreezeEmbedding ? "--freeze-embedding" : "--vector-words")} needs --init-embedding FILE or --fold-vectors FILE");
        if ((InitEmbedding is not null ? 1 : 0) + (PretrainText is not null ? 1 : 0) + (FoldVectorsText is not null ? 1 : 0) > 1)
            throw new ArgumentException("--init-embedding, --fold-vectors and --pretrain each set the embedding: pass one of them");
        if (FoldVectorsEpochs is < 1 or > 100) throw new ArgumentException($"--fold-vectors-epochs must be 1..100, got {FoldVectorsEpochs}");
        if (PretrainBatches < 1) throw new ArgumentException($"--pretrain-batches must be ≥ 1, got {PretrainBatches}");
    }
}
