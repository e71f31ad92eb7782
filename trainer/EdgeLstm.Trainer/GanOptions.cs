namespace EdgeLstm.Trainer;

/// <summary>Everything one adversarial run needs (`edgelstm-train gan`); the CLI maps its options onto this one to one.</summary>
public sealed record GanOptions : TrainerOptions
{
    public GanOptions() : base(dropout: 0.2, batchSize: 64, epochs: 10, patience: 1, learningRate: 1e-4, threads: 2) { }

    /// <summary>The maximum-likelihood character language model the generator starts from.</summary>
    public required string GeneratorFile { get; init; }
    /// <summary>Real texts, one per line, every line of one length (quatrains: 24 characters).</summary>
    public required string TrainFile { get; init; }
    /// <summary>Held-out texts of the same kind, for each epoch's report.</summary>
    public required string ValidFile { get; init; }
    public required string Output { get; init; }
    /// <summary>Where to write the discriminator (a classifier), or null.</summary>
    public string? DiscriminatorOutput { get; init; }
    public int DiscriminatorEmbedding { get; init; } = 64;
    public int DiscriminatorHidden { get; init; } = 128;
    public double DiscriminatorLearningRate { get; init; } = 1e-3;
    /// <summary>Discriminator steps on the starting generator's samples before the adversarial phase.</summary>
    public int DiscriminatorPretrainSteps { get; init; } = 300;
    /// <summary>Discriminator steps after each generator step.</summary>
    public int DiscriminatorSteps { get; init; } = 3;
    /// <summary>Maximum-likelihood steps on real texts after each generator step (0: the adversarial reward alone).</summary>
    public int MleSteps { get; init; } = 1;
    /// <summary>Generator steps (each with its discriminator and MLE steps) between two reports and checkpoints.</summary>
    public int StepsPerEpoch { get; init; } = 100;
    /// <summary>Samples drawn for each epoch's report (BLEU-2 against the validation texts, well-formed share).</summary>
    public int ReportSamples { get; init; } = 200;
    public double Clip { get; init; } = 5.0;
    /// <summary>
    /// The control run: the same schedule with the policy-gradient and discriminator steps left out, so the generator
    /// takes only the MLE steps (texts from a newline and a zero state, as the GAN samples them). The baseline a GAN
    /// must beat is this, not the starting model, which learnt from a stream of texts and never from a zero state.
    /// </summary>
    public bool MleOnly { get; init; }

    protected override void ValidateTask()
    {
        if (DiscriminatorEmbedding is < 1 or > 4096) throw new ArgumentException($"--d-embedding must be 1..4096, got {DiscriminatorEmbedding}");
        if (DiscriminatorHidden is < 1 or > 4096) throw new ArgumentException($"--d-hidden must be 1..4096, got {DiscriminatorHidden}");
        if (DiscriminatorLearningRate <= 0) throw new ArgumentException($"--d-lr must be > 0, got {DiscriminatorLearningRate}");
        if (DiscriminatorPretrainSteps < 0) throw new ArgumentException($"--d-pretrain-steps must be ≥ 0, got {DiscriminatorPretrainSteps}");
        if (DiscriminatorSteps < 1) throw new ArgumentException($"--d-steps must be ≥ 1, got {DiscriminatorSteps}");
        if (MleSteps < 0) throw new ArgumentException($"--mle-steps must be ≥ 0, got {MleSteps}");
        if (MleOnly && MleSteps < 1) throw new ArgumentException("--mle-only takes the MLE steps alone; --mle-steps must be ≥ 1 with it");
        if (StepsPerEpoch < 1) throw new ArgumentException($"--steps-per-epoch must be ≥ 1, got {StepsPerEpoch}");
        if (ReportSamples < 2) throw new ArgumentException($"--report-samples must be ≥ 2, got {ReportSamples}");
    }
}
