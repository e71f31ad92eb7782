namespace EdgeLstm.Tests;

/// <summary>The real `edgelstm-train` process stops cleanly on SIGTERM, as on Ctrl-C (runs in the background get no SIGINT).</summary>
public sealed class TrainerSignalTests
{
    [Fact]
    public async Task SigtermStopsAfterTheCurrentBatchAndKeepsTheLastEpoch()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(3000, seed: 21));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(500, seed: 22));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "edgelstm-train.dll"), "--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"),
                     "-o", dir.File("m.safetensors"), "--hidden-size", "16", "--layers", "1", "--embedding-dim", "8", "--batch-size", "4",
                     "--seq-len", "32", "--epochs", "100000", "--patience", "100000", "--threads", "1", "--checkpoint-dir", dir.File("ckpt"), "-q",
                 })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        string progress = Path.Combine(dir.File("ckpt"), TrainingCheckpoint.ProgressFile);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(progress) && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(50);
        Assert.True(File.Exists(progress), "no epoch finished within 90 s: " + (process.HasExited ? await stderr : ""));

        await StopWithSigterm(process);
        Assert.True(process.ExitCode == 130, $"exit code {process.ExitCode}: {await stderr}{await stdout}");
        Assert.True(File.Exists(dir.File("m.safetensors")));
        Assert.True(TrainingCheckpoint.Load(dir.File("ckpt")).EpochsDone >= 1);
    }

    /// <summary>Sends SIGTERM and waits up to 60 s for the process to exit (killed and failed if it does not).</summary>
    private static async Task StopWithSigterm(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the trainer did not stop within 60 s of SIGTERM");
        }
    }

    /// <summary>A word tagger (no checkpoints) stopped by SIGTERM after an epoch writes the best epoch so far, and says so.</summary>
    [Fact]
    public async Task SigtermStopsAWordTaggerAndKeepsTheBestEpoch()
    {
        using var dir = new TempDirectory();
        var random = new Random(3);
        string[] words = ["the", "a", "cat", "dog", "sat", "ran", "on", "in"], tags = ["DT", "DT", "NN", "NN", "VB", "VB", "IN", "IN"];
        File.WriteAllText(dir.File("train.conll"), string.Concat(Enumerable.Range(0, 4000).Select(_ =>
            string.Concat(Enumerable.Range(0, 12).Select(_ => random.Next(words.Length)).Select(w => $"{words[w]}\t{tags[w]}\n")) + "\n")));
        File.WriteAllText(dir.File("valid.conll"), "the\tDT\ncat\tNN\nsat\tVB\n\n");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "edgelstm-train.dll"), "tag", "--format", "conll", "--train", dir.File("train.conll"),
                     "--valid", dir.File("valid.conll"), "-o", dir.File("tagger.safetensors"), "--embedding-dim", "8", "--hidden-size", "8", "--layers", "1",
                     "--batch-size", "4", "--epochs", "100000", "--patience", "100000", "--min-count", "1", "--threads", "1",
                 })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var log = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        while (!log.ToString().Contains("epoch 1:") && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            string? line = await process.StandardError.ReadLineAsync();
            if (line is null) break;
            log.AppendLine(line);
        }
        Assert.Contains("epoch 1:", log.ToString());
        var stderr = process.StandardError.ReadToEndAsync();

        await StopWithSigterm(process);
        Assert.True(process.ExitCode == 130, $"exit code {process.ExitCode}: {await stderr}{await stdout}");
        Assert.Matches(@"stopped: kept best epoch [0-9]+ of [0-9]+; model: ", await stdout);
        Assert.True(File.Exists(dir.File("tagger.safetensors")));
    }
}
