namespace EdgeLstm.Trainer;

/// <summary>Everything one training run needs; the CLI maps its options onto this one to one.</summary>
public sealed record TrainOptions : TrainerOptions
{
    public TrainOptions() : base(dropout: 0.1, batchSize: 32, epochs: 20, patience: 3, threads: 2) { }

    public required string TrainFile { get; init; }
    public required string ValidFile { get; init; }
    public required string Output { get; init; }
    public int EmbeddingDim { get; init; } = 64;
    /// <summary>"char" (code points) or "word" (<see cref="EdgeLstm.Runtime.WordTokenizer"/>).</summary>
    public string Tokenizer { get; init; } = EdgeLstm.Runtime.TokenizerKinds.Char;
    /// <summary>Tokens seen fewer times in the training text become the unknown token.</summary>
    public int MinCount { get; init; } = 1;
    /// <summary>Word tokenizer: the most frequent words kept (with &lt;pad&gt; and &lt;unk&gt;).</summary>
    public int MaxVocabulary { get; init; } = 10000;
    /// <summary>Word tokenizer: lower-case the text first.</summary>
    public bool Lowercase { get; init; }
    public int HiddenSize { get; init; } = 256;
    public int Layers { get; init; } = 2;
    public int SeqLen { get; init; } = 128;
    public double MinLearningRate { get; init; } = 1e-4;
    public double Clip { get; init; } = 5.0;
    /// <summary>0 trains on the whole text each epoch; otherwise at most this many batches (for quick runs and tests).</summary>
    public int MaxBatchesPerEpoch { get; init; }
    /// <summary>Start from these weights (a float model file, ours or PyTorch's) instead of random ones.</summary>
    public string? InitFrom { get; init; }
    /// <summary>Fine-tune under this pruning (magnitude or block), masks fixed from the starting weights.</summary>
    public EdgeLstm.Converter.PruneSpec Prune { get; init; } = EdgeLstm.Converter.PruneSpec.None;
    /// <summary>Fine-tune for int4 weights: forward passes and validation at the int4 values `convert --dtype int4` writes.</summary>
    public bool Int4Aware { get; init; }
    /// <summary>Word models started from scratch: word vectors the embedding starts from (words without one stay random), or null.</summary>
    public WordVectors? InitEmbedding { get; init; }
    /// <summary>Keep the embedding as <see cref="InitEmbedding"/> set it.</summary>
    public bool FreezeEmbedding { get; init; }

    protected override void ValidateTask()
    {
        Check(EmbeddingDim > 0, "--embedding-dim must be > 0");
        Check(HiddenSize > 0, "--hidden-size must be > 0");
        Check(MinCount > 0, "--min-count must be > 0");
        Check(Tokenizer is EdgeLstm.Runtime.TokenizerKinds.Char or EdgeLstm.Runtime.TokenizerKinds.Word, "--tokenizer must be char or word");
        Check(MaxVocabulary >= 3, "--max-vocabulary must be ≥ 3");
        Check(Layers is > 0 and <= 8, "--layers must be in 1..8");
        Check(SeqLen > 0, "--seq-len must be > 0");
        Check(LearningRate > 0 && MinLearningRate >= 0 && MinLearningRate <= LearningRate, "--lr must be > 0 and --min-lr in [0, --lr]");
        Check(Clip > 0, "--clip must be > 0");
        Check(MaxBatchesPerEpoch >= 0, "--max-batches must be ≥ 0");
        Check(InitEmbedding is null || Tokenizer == EdgeLstm.Runtime.TokenizerKinds.Word, "--init-embedding needs --tokenizer word (word vectors)");
        Check(InitEmbedding is null || (InitFrom is null && !Resume), "--init-embedding starts a model's embedding; --init-from and --resume bring one: pass one of them");
        Check(InitEmbedding is null || InitEmbedding.Dimension == EmbeddingDim,
            $"--init-embedding: the vectors have {InitEmbedding?.Dimension} values a word, --embedding-dim is {EmbeddingDim}; make them equal");
        Check(!FreezeEmbedding || InitEmbedding is not null, "--freeze-embedding needs --init-embedding FILE");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
