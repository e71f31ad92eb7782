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
    private readonly Task<string> _stdout;
    private readonly System.Text.StringBuilder _stderr = new(); // read line by line, so a test can wait for a line (WaitForStderr)

    public MpiJob(int ranks, IEnumerable<string> trainerArgs)
    {
        var start = new ProcessStartInfo(DistributedTrainingTests.Mpirun!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "-np", ranks.ToString(CultureInfo.InvariantCulture), "--oversubscribe", "--allow-run-as-root", "dotnet",
                     Path.Combine(AppContext.BaseDirectory, "edgelstm-train.dll") }.Concat(trainerArgs))
            start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.Append(e.Data).Append('\n');
        };
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Stdout => _stdout.Result;
    /// <summary>What the ranks wrote to stderr so far (all of it once <see cref="WaitForExit"/> returned true).</summary>
    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Waits until stderr holds <paramref name="text"/>; false if the job ended or <paramref name="limit"/> passed first.</summary>
    public async Task<bool> WaitForStderr(string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || clock.Elapsed > limit) return false;
            await Task.Delay(50);
        }
        return true;
    }

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
            await _process.WaitForExitAsync(timeout.Token); // also waits for the last stderr line
            await _stdout;
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
