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
        var b = SafeTensorsReader.Read(Path.Combine(dir.File("ckpt"), TrainingCheckpoint.WeightsFile));
        foreach (var (name, info) in a.Tensors)
            Assert.Equal(a.ReadFloats(info), b.ReadFloats(b.Tensors[name]));
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
