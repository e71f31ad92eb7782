using System.Runtime.InteropServices;

namespace EdgeLstm.Trainer;

/// <summary>
/// Noticing that another rank died, and ending this one with a line that says so. When a rank dies (SIGKILL, a crash),
/// Open MPI 4 gives the survivors no error: they wait in their next collective call, and mpirun ends them with SIGTERM and
/// one second later SIGKILL (odls_base_sigkill_timeout). On that SIGTERM a survivor looks for the ranks whose process is
/// gone — on this host only, where their process ids can be checked; another host's ranks count as alive — and if there
/// is one, the lowest surviving rank writes one line naming it, waits for a checkpoint being written to be complete,
/// and the process ends at once (no managed shutdown: the main thread may be blocked in MPI for good).
/// </summary>
internal sealed class RankFailure
{
    private readonly int _rank;
    private readonly int[] _pids;
    private readonly uint[] _hosts;

    private RankFailure(int rank, int[] pids, uint[] hosts) => (_rank, _pids, _hosts) = (rank, pids, hosts);

    /// <summary>Every rank's process id and host, learnt in one all-reduce when the group starts (collective).</summary>
    public static RankFailure Gather(int rank, int size)
    {
        var send = new double[2 * size];
        send[2 * rank] = Environment.ProcessId;
        send[2 * rank + 1] = HostId();
        var all = new double[send.Length];
        Mpi.AllReduceSum<double>(send, all, Mpi.Double); // integers below 2^53 add exactly in doubles
        return new RankFailure(rank, [.. Enumerable.Range(0, size).Select(r => (int)all[2 * r])], [.. Enumerable.Range(0, size).Select(r => (uint)all[2 * r + 1])]);
    }

    /// <summary>If another rank's process is gone, reports it (lowest survivor only) and ends this process; otherwise returns.</summary>
    public void EndIfAnotherRankDied()
    {
        uint host = HostId();
        var gone = Enumerable.Range(0, _pids.Length).Where(r => r != _rank && _hosts[r] == host && !Running(_pids[r])).ToList();
        if (gone.Count == 0) return;
        if (Enumerable.Range(0, _rank).All(gone.Contains))
        {
            string ranks = string.Join(", ", gone.Select(r => $"rank {r} (process {_pids[r]})"));
            Console.Error.WriteLine($"edgelstm-train: {ranks} of {_pids.Length} died without a word (killed or crashed; mpirun's report gives the signal); " +
                "ending the job, the checkpoint directory keeps the last completed epoch");
            Console.Error.Flush();
        }
        // Within mpirun's second before SIGKILL, let a checkpoint being written finish, so its files belong together.
        Monitor.TryEnter(TrainingCheckpoint.WriteLock, TimeSpan.FromMilliseconds(800));
        ExitNow(1);
    }

    /// <summary>The process exists and is not a zombie (killed, not yet reaped by its parent).</summary>
    private static bool Running(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static uint HostId()
    {
        uint hash = 2166136261; // FNV-1a of the host name: the same on every rank of one machine
        foreach (char c in Environment.MachineName) hash = (hash ^ c) * 16777619;
        return hash;
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int code);
}
