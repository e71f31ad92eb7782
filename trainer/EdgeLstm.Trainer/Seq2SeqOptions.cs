namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train seq2seq` (defaults: graphemes 64 → BiLSTM 2×128 → decoder LSTM 256 with general attention).</summary>
public sealed record Seq2SeqOptions : TrainerOptions
{
    public Seq2SeqOptions() : base(dropout: 0.2, batchSize: 64, epochs: 30, patience: 4) { }

    public int EmbeddingDim { get; init; } = 64;
    public int EncoderHidden { get; init; } = 128;
    public int EncoderLayers { get; init; } = 2;
    public int DecoderEmbedding { get; init; } = 64;
    public int DecoderHidden { get; init; } = 256;
    /// <summary>Target probability moved uniformly onto the other outputs (0 = plain cross-entropy).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>Halve the learning rate after each epoch that does not lower the validation WER.</summary>
    public bool HalveLearningRate { get; init; } = true;
    /// <summary>Keep the stress digits of the phonemes (AH0, AH1) instead of stripping them.</summary>
    public bool Stress { get; init; }
    /// <summary>Start from this float model's weights (fine-tuning; its shape replaces the size options).</summary>
    public string? InitFrom { get; init; }
    /// <summary>Fine-tune for int4 weights: forward passes and validation at the int4 values `convert --dtype int4` writes.</summary>
    public bool Int4Aware { get; init; }

    /// <summary>After training, the mean of the last this-many epochs' weights is scored on validation and kept if better (0 or 1 = off).</summary>
    public int AverageLast { get; init; }

    protected override void ValidateTask()
    {
        if (AverageLast < 0) throw new ArgumentException($"--average-last must be ≥ 0, got {AverageLast}");
        if (AverageLast > 1 && CheckpointDir is null) throw new ArgumentException("--average-last reads the epochs' weights from the checkpoint: it needs --checkpoint-dir");
        if (AverageLast > 1 && Int4Aware) throw new ArgumentException("--average-last averages float weights; --int4-aware fine-tunes at int4 values: pass one of them");
        if (EmbeddingDim is < 1 or > 4096) throw new ArgumentException($"--embedding-dim must be 1..4096, got {EmbeddingDim}");
        if (EncoderHidden is < 1 or > 4096) throw new ArgumentException($"--encoder-hidden must be 1..4096, got {EncoderHidden}");
        if (EncoderLayers is < 1 or > 8) throw new ArgumentException($"--encoder-layers must be 1..8, got {EncoderLayers}");
        if (DecoderEmbedding is < 1 or > 4096) throw new ArgumentException($"--decoder-embedding must be 1..4096, got {DecoderEmbedding}");
        if (DecoderHidden is < 1 or > 4096) throw new ArgumentException($"--decoder-hidden must be 1..4096, got {DecoderHidden}");
        if (LabelSmoothing is < 0 or >= 1) throw new ArgumentException($"--label-smoothing must be in [0, 1), got {LabelSmoothing}");
        if (Resume && InitFrom is not null) throw new ArgumentException("--init-from starts a run; --resume continues one: pass one of them");
    }
}
