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
        Assert.True(process.ExitCode == 130, $"exit code {process.ExitCode}: {await stderr}{await stdout}");
        Assert.True(File.Exists(dir.File("m.safetensors")));
        Assert.True(TrainingCheckpoint.Load(dir.File("ckpt")).EpochsDone >= 1);
    }
}
