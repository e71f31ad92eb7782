namespace EdgeLstm.Trainer;

/// <summary>
/// What every trainer's options share: the optimizer's schedule, the epoch loop's limits and libtorch's threads and
/// seed. Each trainer's record sets its own defaults in its constructor and adds its own options and checks.
/// </summary>
public abstract record TrainerOptions
{
    /// <summary>A trainer's defaults.</summary>
    protected TrainerOptions(double dropout, int batchSize, int epochs, int patience, double learningRate = 2e-3, int? threads = null)
    {
        (Dropout, BatchSize, Epochs, Patience, LearningRate) = (dropout, batchSize, epochs, patience, learningRate);
        Threads = threads ?? Environment.ProcessorCount;
    }

    public double Dropout { get; init; }
    public double LearningRate { get; init; }
    public int BatchSize { get; init; }
    public int Epochs { get; init; }
    public int Patience { get; init; }
    public int Threads { get; init; }
    public int Seed { get; init; } = 42;
    public bool Quiet { get; init; }
    /// <summary>Batch rows of similar length together (<see cref="Minibatches"/>); for tasks whose rows differ in length.</summary>
    public bool LengthBuckets { get; init; }
    /// <summary>
    /// The processes training together (`--distributed` under mpirun), <see cref="DistributedGroup.Single"/> alone.
    /// <see cref="BatchSize"/> is per rank: a step's global batch is Group.Size × BatchSize rows, so N ranks with
    /// --batch-size B take the steps of one process with --batch-size N·B (same learning rate, same number of steps per epoch).
    /// </summary>
    public DistributedGroup Group { get; init; } = DistributedGroup.Single;
    /// <summary>Where every finished epoch leaves a resumable checkpoint (<see cref="TrainingCheckpoint"/>); null keeps none.</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="CheckpointDir"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>Stop cleanly after this epoch (0 = never), to continue later with --resume.</summary>
    public int StopAfterEpoch { get; init; }

    /// <summary>Rows in one optimizer step over all ranks.</summary>
    public int GlobalBatchSize => BatchSize * Group.Size;

    /// <summary>
    /// A resumed run takes the checkpoint's steps whatever the number of ranks now: its global batch, shared out
    /// (--batch-size is ignored when it differs, with a line saying so).
    /// </summary>
    public TrainerOptions WithCheckpointBatch(string checkpointDir, Action<string>? log)
    {
        int? perRank = TrainingCheckpoint.Load(checkpointDir).PerRankBatch(Group.Size);
        if (perRank is not { } batch || batch == BatchSize) return this;
        var resumed = this with { BatchSize = batch };
        log?.Invoke($"resuming with the checkpoint's global batch of {resumed.GlobalBatchSize}: --batch-size {batch} on each of {Group.Size} rank(s), not {BatchSize}");
        return resumed;
    }

    /// <summary>Throws an ArgumentException naming the first option out of range.</summary>
    public void Validate()
    {
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"--dropout must be in [0, 1), got {Dropout}");
        if (LearningRate <= 0) throw new ArgumentException($"--lr must be > 0, got {LearningRate}");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size must be ≥ 1, got {BatchSize}");
        if (Epochs < 1) throw new ArgumentException($"--epochs must be ≥ 1, got {Epochs}");
        if (Patience < 1) throw new ArgumentException($"--patience must be ≥ 1, got {Patience}");
        if (Threads < 1) throw new ArgumentException($"--threads must be ≥ 1, got {Threads}");
        if (Resume && CheckpointDir is null) throw new ArgumentException("--resume needs --checkpoint-dir");
        if (StopAfterEpoch < 0) throw new ArgumentException($"--stop-after-epoch must be ≥ 0, got {StopAfterEpoch}");
        ValidateTask();
    }

    /// <summary>The trainer's own checks.</summary>
    protected abstract void ValidateTask();

    /// <summary>What a trainer does first: validate, then set libtorch's threads and seed.</summary>
    public void Start()
    {
        Validate();
        torch.set_num_threads(Threads);
        torch.manual_seed(Seed);
        Group.Agree("seed (--seed)", Seed.ToString(CultureInfo.InvariantCulture));
        Group.Agree("shared options", string.Create(CultureInfo.InvariantCulture,
            $"--batch-size {BatchSize}, --lr {LearningRate}, --dropout {Dropout}, --epochs {Epochs}, --patience {Patience}"));
    }
}
