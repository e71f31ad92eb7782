namespace EdgeLstm.Tests;

public sealed class CheckpointResumeTests
{
    private static TrainOptions Options(TempDirectory dir, string output, int epochs, string? checkpoint = null, bool resume = false) => new()
    {
        TrainFile = dir.File("train.txt"), ValidFile = dir.File("valid.txt"), Output = dir.File(output),
        EmbeddingDim = 8, HiddenSize = 16, Layers = 2, BatchSize = 4, SeqLen = 16,
        Dropout = 0.3, // the dropout masks come from the random generator, so it must resume too
        Epochs = epochs, MaxBatchesPerEpoch = 6, Threads = 1, Quiet = true, Patience = 10,
        CheckpointDir = checkpoint is null ? null : dir.File(checkpoint), Resume = resume,
    };

    [Fact]
    public void ResumingFromACheckpointGivesTheSameWeightsAsAnUnbrokenRun()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(3000, seed: 8));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(500, seed: 9));

        TorchFixture.Init(seed: 1);
        new CharLmTrainer(Options(dir, "unbroken.safetensors", epochs: 3)).Run(CancellationToken.None);

        // Stop after epoch 2 of the same 3-epoch schedule, then resume.
        TorchFixture.Init(seed: 1);
        var partial = new CharLmTrainer(Options(dir, "resumed.safetensors", epochs: 3, checkpoint: "ckpt") with { StopAfterEpoch = 2 }).Run(CancellationToken.None);
        Assert.False(partial.Interrupted);
        Assert.Equal(2, partial.Epochs);
        var resumed = new CharLmTrainer(Options(dir, "resumed.safetensors", epochs: 3, checkpoint: "ckpt", resume: true)).Run(CancellationToken.None);
        Assert.Equal(3, resumed.Epochs);

        var a = SafeTensorsReader.Read(dir.File("unbroken.safetensors"));
        var b = SafeTensorsReader.Read(EpochLoop.LastWeights(dir.File("ckpt")));
        foreach (var (name, info) in a.Tensors)
            Assert.Equal(a.ReadFloats(info), b.ReadFloats(b.Tensors[name]));
    }

    /// <summary>Trains the 3-epoch schedule unbroken and again stopped after <paramref name="stopAfter"/> epochs into ckpt.</summary>
    private static void UnbrokenAndStopped(TempDirectory dir, int stopAfter)
    {
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(3000, seed: 8));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(500, seed: 9));
        TorchFixture.Init(seed: 1);
        new CharLmTrainer(Options(dir, "unbroken.safetensors", epochs: 3)).Run(CancellationToken.None);
        TorchFixture.Init(seed: 1);
        new CharLmTrainer(Options(dir, "resumed.safetensors", epochs: 3, checkpoint: "ckpt") with { StopAfterEpoch = stopAfter }).Run(CancellationToken.None);
    }

    private static void ResumeAndAssertUnbroken(TempDirectory dir)
    {
        new CharLmTrainer(Options(dir, "resumed.safetensors", epochs: 3, checkpoint: "ckpt", resume: true)).Run(CancellationToken.None);
        var a = SafeTensorsReader.Read(dir.File("unbroken.safetensors"));
        var b = SafeTensorsReader.Read(EpochLoop.LastWeights(dir.File("ckpt")));
        foreach (var (name, info) in a.Tensors)
            Assert.Equal(a.ReadFloats(info), b.ReadFloats(b.Tensors[name]));
        Assert.Equal(["epoch-0003"], Directory.GetDirectories(dir.File("ckpt")).Select(Path.GetFileName));
        Assert.Equal(["progress.json"], Directory.GetFiles(dir.File("ckpt")).Select(Path.GetFileName));
    }

    /// <summary>
    /// A run killed while writing epoch 2's checkpoint leaves a set the progress record does not name (here: other weights
    /// beside epoch 1's optimizer state): resuming reads epoch 1's complete set and ends as the unbroken run does.
    /// </summary>
    [Fact]
    public void AHalfWrittenCheckpointIsNotReadOnResume()
    {
        using var dir = new TempDirectory();
        UnbrokenAndStopped(dir, stopAfter: 1);
        string done = Path.Combine(dir.File("ckpt"), "epoch-0001"), killed = Path.Combine(dir.File("ckpt"), "epoch-0002");
        Assert.True(Directory.Exists(done));
        Directory.CreateDirectory(killed);
        File.Copy(dir.File("unbroken.safetensors"), Path.Combine(killed, TrainingCheckpoint.WeightsFile));
        foreach (string file in (string[])[TrainingCheckpoint.OptimizerFile, TrainingCheckpoint.RandomStateFile, TrainingCheckpoint.BestWeightsFile])
            File.Copy(Path.Combine(done, file), Path.Combine(killed, file));
        ResumeAndAssertUnbroken(dir);
    }

    /// <summary>A checkpoint written before the per-epoch subdirectories (files beside the record) still resumes exactly.</summary>
    [Fact]
    public void ACheckpointOfTheEarlierLayoutResumes()
    {
        using var dir = new TempDirectory();
        UnbrokenAndStopped(dir, stopAfter: 2);
        string ckpt = dir.File("ckpt"), files = Path.Combine(ckpt, "epoch-0002");
        foreach (string file in Directory.GetFiles(files)) File.Move(file, Path.Combine(ckpt, Path.GetFileName(file)));
        Directory.Delete(files);
        (TrainingCheckpoint.Load(ckpt) with { Files = null }).Save(ckpt);
        Assert.DoesNotContain("epoch-", File.ReadAllText(Path.Combine(ckpt, TrainingCheckpoint.ProgressFile)));
        ResumeAndAssertUnbroken(dir);
    }

    [Fact]
    public void CancellingBeforeTheFirstEpochEndsWritesNoModel()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(3000, seed: 8));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(500, seed: 9));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var result = new CharLmTrainer(Options(dir, "m.safetensors", epochs: 2, checkpoint: "ckpt")).Run(cancel.Token);
        Assert.True(result.Interrupted);
        Assert.False(File.Exists(dir.File("m.safetensors")));
        Assert.False(File.Exists(Path.Combine(dir.File("ckpt"), TrainingCheckpoint.ProgressFile)));
    }
}
