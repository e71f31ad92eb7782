namespace EdgeLstm.Tests;

/// <summary>
/// `--distributed` when a rank dies or the job is told to stop: the job ends (never hangs), says which rank and why,
/// and rank 0's checkpoint is whole and resumes.
/// </summary>
public sealed class DistributedFaultTests
{
    /// <summary>SIGKILL to rank 1 after the first checkpoint: the job ends, one line of ours names rank 1, the checkpoint resumes.</summary>
    [MpiFact]
    public async Task ARankKilledMidTrainingEndsTheJobNamingItAndTheCheckpointResumes()
    {
        using var dir = new TempDirectory();
        string[] args = [.. EndlessCharLm(dir), "-q"];
        // Rank 0 alone writes the checkpoint: ranks writing the same files race on them, and a kill mid-write tears them.
        Directory.CreateDirectory(dir.File("ckpt"));
        int progressWrites = 0;
        using var watcher = new FileSystemWatcher(dir.File("ckpt")) { EnableRaisingEvents = true };
        watcher.Renamed += (_, e) =>
        {
            if (e.Name == TrainingCheckpoint.ProgressFile) Interlocked.Increment(ref progressWrites);
        };
        int done;
        using (var job = new MpiJob(2, args))
        {
            await WaitForFirstCheckpoint(dir, job);
            int victim = job.RankPid(1);
            MpiJob.Signal(victim, "KILL");
            Assert.True(await job.WaitForExit(TimeSpan.FromSeconds(30)), "the job still ran 30 s after rank 1 was killed");

            Assert.NotEqual(0, job.ExitCode);
            string ours = $"edgelstm-train: rank 1 (process {victim}) of 2 died";
            Assert.True(job.Stderr.Contains(ours), job.Stderr);
            Assert.Single(job.Stderr.Split('\n'), line => line.StartsWith("edgelstm-train:", StringComparison.Ordinal));
            done = TrainingCheckpoint.Load(dir.File("ckpt")).EpochsDone;
            Assert.True(done >= 1);
            await Task.Delay(200); // the watcher's last events
            Assert.True(progressWrites == done, $"{progressWrites} progress records written for {done} epochs: written by more than one rank");
        }

        // The checkpoint is rank 0's alone and whole: 2 ranks resume from it and train one more epoch.
        using var resumed = new MpiJob(2, [.. args.Select(a => a == "100000" ? (done + 1).ToString(CultureInfo.InvariantCulture) : a), "--resume"]);
        Assert.True(await resumed.WaitForExit(TimeSpan.FromSeconds(120)), "the resumed run did not finish in 120 s");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(done + 1, TrainingCheckpoint.Load(dir.File("ckpt")).EpochsDone);
    }

    /// <summary>
    /// SIGTERM to one rank (as a scheduler or Ctrl-C sends it to some): every rank stops after the same step, rank 0 says so
    /// and keeps its checkpoint, and the job exits 130 (each rank's code, which mpirun passes on).
    /// </summary>
    [MpiFact]
    public async Task SigtermToOneRankStopsEveryRankAfterTheSameStep()
    {
        using var dir = new TempDirectory();
        using var job = new MpiJob(2, EndlessCharLm(dir));
        await WaitForFirstCheckpoint(dir, job);
        MpiJob.Signal(job.RankPid(1), "TERM");
        Assert.True(await job.WaitForExit(TimeSpan.FromSeconds(30)), "the job still ran 30 s after SIGTERM to rank 1");

        Assert.True(job.ExitCode == 130, $"exit code {job.ExitCode}: {job.Stderr}{job.Stdout}");
        Assert.Matches(@"interrupted in epoch [0-9]+; the checkpoint is epoch [0-9]+'s", job.Stdout);
        Assert.DoesNotContain("edgelstm-train:", job.Stderr);
        Assert.True(TrainingCheckpoint.Load(dir.File("ckpt")).EpochsDone >= 1);
        Assert.True(File.Exists(dir.File("m.safetensors")));
    }

    /// <summary>
    /// classify as the LM: SIGTERM to rank 1 after an epoch stops every rank after the same step; rank 0 scores and writes the
    /// best epoch so far, says so, and every rank exits 130.
    /// </summary>
    [MpiFact]
    public async Task SigtermToOneRankStopsEveryClassifierRankAfterTheSameStep()
    {
        using var dir = new TempDirectory();
        var random = new Random(9);
        string[] words = ["good", "bad", "film", "a", "the", "fine", "dull", "music", "story"];
        string Text() => string.Join(' ', Enumerable.Range(0, random.Next(2, 9)).Select(_ => words[random.Next(words.Length)]));
        var lines = new List<string> { "fold\tlabel\ttext" };
        for (int i = 0; i < 400; i++) lines.Add($"{(i < 360 ? "train" : i < 380 ? "valid" : "test")}\t{(i % 2 == 0 ? "pos" : "neg")}\t{Text()}");
        File.WriteAllLines(dir.File("data.tsv"), lines);
        using var job = new MpiJob(2, ["classify", "--data", dir.File("data.tsv"), "--test-fold", "test", "--valid-fold", "valid", "--embedding-dim", "8",
            "--hidden-size", "8", "--epochs", "100000", "--patience", "100000", "--batch-size", "2", "--min-count", "1", "--threads", "1",
            "-o", dir.File("m.safetensors"), "--distributed"]);
        Assert.True(await job.WaitForStderr("epoch 1: train loss", TimeSpan.FromSeconds(90)), "no epoch finished within 90 s: " + job.Stderr);
        MpiJob.Signal(job.RankPid(1), "TERM");
        Assert.True(await job.WaitForExit(TimeSpan.FromSeconds(30)), "the job still ran 30 s after SIGTERM to rank 1");

        Assert.True(job.ExitCode == 130, $"exit code {job.ExitCode}: {job.Stderr}{job.Stdout}");
        Assert.Matches(@"stopped: kept best epoch [0-9]+ of [0-9]+; test fold test: LSTM all [0-9.]+", job.Stdout);
        Assert.DoesNotContain("edgelstm-train:", job.Stderr);
        Assert.True(File.Exists(dir.File("m.safetensors")));
    }

    /// <summary>A char LM that would train for ever (1-thread ranks, a checkpoint every epoch of ~40 steps).</summary>
    private static string[] EndlessCharLm(TempDirectory dir)
    {
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(3000, seed: 21));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(500, seed: 22));
        return ["--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "-o", dir.File("m.safetensors"), "--hidden-size", "16", "--layers", "1",
            "--embedding-dim", "8", "--batch-size", "2", "--seq-len", "16", "--epochs", "100000", "--patience", "100000", "--threads", "1",
            "--checkpoint-dir", dir.File("ckpt"), "--distributed"];
    }

    private static async Task WaitForFirstCheckpoint(TempDirectory dir, MpiJob job)
    {
        string progress = Path.Combine(dir.File("ckpt"), TrainingCheckpoint.ProgressFile);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(progress) && !job.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(50);
        Assert.True(File.Exists(progress), "no epoch finished within 90 s: " + (job.HasExited ? job.Stderr : ""));
    }
}
