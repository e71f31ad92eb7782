using System.Diagnostics;

namespace EdgeLstm.Tests;

/// <summary>
/// `mpirun -np N --oversubscribe --allow-run-as-root dotnet edgelstm-train.dll ARGS` running in the background, for tests
/// that signal its ranks; the ranks are found by the OMPI_COMM_WORLD_RANK mpirun gives each child.
/// Disposing kills whatever is still running.
/// </summary>
internal sealed class MpiJob : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout, _stderr;

    public MpiJob(int ranks, IEnumerable<string> trainerArgs)
    {
        var start = new ProcessStartInfo(DistributedTrainingTests.Mpirun!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-np", ranks.ToString(CultureInfo.InvariantCulture), "--oversubscribe", "--allow-run-as-root", "dotnet",
                     Path.Combine(AppContext.BaseDirectory, "edgelstm-train.dll") }.Concat(trainerArgs))
            start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Stdout => _stdout.Result;
    public string Stderr => _stderr.Result;

    /// <summary>The process id of rank <paramref name="rank"/> (a child of mpirun).</summary>
    public int RankPid(int rank)
    {
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (parent != _process.Id) continue;
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (IOException)
            {
                // a process that ended while we looked
            }
        }
        throw new InvalidOperationException($"no rank {rank} among mpirun's children");
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the job to end; false (and the job killed) if it is still running after <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForExit(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(_stdout, _stderr);
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
