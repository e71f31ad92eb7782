using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeLstm.Trainer;

/// <summary>
/// The processes training one model together (`mpirun -np N edgelstm-train ... --distributed`), or
/// <see cref="Single"/>, one process alone, for which every method here does nothing and costs nothing.
/// <para>Data parallelism, synchronous: every rank holds the whole model; rank 0's initial weights are broadcast; each
/// global batch (N × --batch-size rows, the same on every rank from the shared seed) is cut into N disjoint, contiguous
/// shards, one per rank (<see cref="Shard{T}"/>); after the backward pass the gradients are summed across ranks in one
/// flat buffer, each rank's weighted by its share of the batch's tokens or rows (<see cref="AverageGradients"/>), so
/// the result is the gradient of the mean loss over the global batch — what one process with batch N × B computes,
/// up to the order of summation. Clipping and the optimizer step come after, on identical gradients, so every rank
/// takes the same step. Validation, logs and files are rank 0's; the others wait for it.</para>
/// </summary>
public sealed class DistributedGroup : IDisposable
{
    /// <summary>One process, no MPI.</summary>
    public static DistributedGroup Single { get; } = new(0, 1, mpi: false);

    private readonly bool _mpi;
    private readonly RankFailure? _failure;
    private readonly CancellationTokenSource _agreedStop = new();
    private CancellationToken _localStop;
    private long _allReduceTicks, _averagingTicks, _allReduceBytes;
    private int _allReduceSteps;
    private float[] _send = [], _sum = [];

    private DistributedGroup(int rank, int size, bool mpi, RankFailure? failure = null) => (Rank, Size, _mpi, _failure) = (rank, size, mpi, failure);

    /// <summary>Starts MPI (under mpirun) when <paramref name="distributed"/>, else <see cref="Single"/>. Dispose finalizes MPI.</summary>
    public static DistributedGroup Open(bool distributed)
    {
        if (!distributed) return Single;
        var (rank, size) = Mpi.Init();
        return new DistributedGroup(rank, size, mpi: true, size > 1 ? RankFailure.Gather(rank, size) : null);
    }

    /// <summary>The CLI help of --distributed, the same for every task.</summary>
    public const string OptionDescription = "Data-parallel training under `mpirun -np N` (Open MPI): each rank trains its shard of every batch and the gradients are " +
        "averaged; --batch-size is per rank (global batch N × it, so N ranks step as one process with N times the batch); rank 0 validates and writes the files";

    /// <summary>
    /// Runs a command's body on this process's group. A distributed rank whose body fails (an error line, a nonzero exit
    /// code) ends the whole job with MPI_Abort, after one line naming the rank, so the others do not wait for it forever;
    /// otherwise MPI is finalized.
    /// </summary>
    public static int Run(bool distributed, Func<DistributedGroup, int> body)
    {
        var group = Open(distributed);
        int code;
        try
        {
            code = EdgeLstm.Cli.UserErrors.Run(() => body(group));
        }
        catch (Exception e) when (group.IsDistributed)
        {
            Console.Error.WriteLine($"edgelstm-train: rank {group.Rank} of {group.Size} failed ({e.GetType().Name}: {e.Message}); ending the job");
            Console.Error.Flush();
            Mpi.Abort(1);
            throw;
        }
        // An agreed stop (Ctrl-C, SIGTERM) ends every rank after the same step: they finalize together and exit 130.
        bool agreedStop = code == EdgeLstm.Cli.ExitCodes.Interrupted && group._agreedStop.IsCancellationRequested;
        if (code != EdgeLstm.Cli.ExitCodes.Success && group.IsDistributed && !agreedStop)
        {
            Console.Error.WriteLine($"edgelstm-train: rank {group.Rank} of {group.Size} stopped with exit code {code}; ending the job");
            Console.Error.Flush();
            Mpi.Abort(code);
        }
        group.Dispose();
        return code;
    }

    public int Rank { get; }
    public int Size { get; }
    public bool IsRoot => Rank == 0;
    /// <summary>More than one rank: the collective calls below do something.</summary>
    public bool IsDistributed => _mpi && Size > 1;

    /// <summary>
    /// The token a training loop checks between steps. Alone, <paramref name="local"/> itself. Distributed, a rank's own
    /// Ctrl-C or SIGTERM (<paramref name="local"/>) only asks: the request rides in the next step's all-reduce
    /// (<see cref="AverageGradients"/>) and the returned token is cancelled on every rank after that same step, so no
    /// rank is left waiting in a collective call for one that stopped a step earlier.
    /// </summary>
    public CancellationToken StopToken(CancellationToken local)
    {
        if (!IsDistributed) return local;
        _localStop = local;
        return _agreedStop.Token;
    }

    /// <summary>Every rank stops here by the same rule (--stop-after-epoch): they end together, as after an agreed stop request.</summary>
    internal void AgreeStop()
    {
        if (IsDistributed) _agreedStop.Cancel();
    }

    /// <summary>On SIGTERM: if another rank's process died, say so and end this one now (it would wait for that rank forever).</summary>
    internal void EndIfAnotherRankDied() => _failure?.EndIfAnotherRankDied();

    /// <summary>This rank's contiguous slice of a global batch: rows [r·n/N, (r+1)·n/N) (may be empty when n &lt; N).</summary>
    public T[] Shard<T>(T[] batch)
    {
        var (start, count) = ShardRange(batch.Length);
        return batch.AsSpan(start, count).ToArray();
    }

    /// <summary>The start and length of this rank's slice of <paramref name="rows"/> rows.</summary>
    public (int Start, int Count) ShardRange(int rows)
    {
        int start = (int)((long)rows * Rank / Size), end = (int)((long)rows * (Rank + 1) / Size);
        return (start, end - start);
    }

    /// <summary>Copies rank 0's parameters and buffers into every rank's network (same names and shapes on all ranks).</summary>
    public void BroadcastWeights(nn.Module network)
    {
        if (!IsDistributed) return;
        using var noGrad = no_grad();
        foreach (var (_, t) in network.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (t.dtype != ScalarType.Float32) throw new InvalidOperationException($"--distributed broadcasts float32 tensors; found {t.dtype}");
            float[] values = t.contiguous().data<float>().ToArray();
            Mpi.Broadcast<float>(values, Mpi.Float);
            using var received = tensor(values, t.shape);
            t.copy_(received);
        }
    }

    /// <summary>
    /// Sums over ranks, in one flat buffer: each trainable parameter's gradient × <paramref name="weight"/> (this rank's
    /// tokens or rows in the step; 0 for an empty shard), the weighted loss and the weight; then sets every gradient to
    /// the sum ÷ total weight. Returns the global mean loss and the global weight. Parameters without a gradient
    /// count as zeros (an empty shard ran no backward pass) and get one.
    /// </summary>
    public (double MeanLoss, double Weight) AverageGradients(IReadOnlyList<Parameter> parameters, double localLoss, double weight)
    {
        if (!IsDistributed) return (localLoss, weight);
        long started = Stopwatch.GetTimestamp();
        try { return Average(parameters, localLoss, weight); }
        finally { _averagingTicks += Stopwatch.GetTimestamp() - started; }
    }

    /// <summary>Starts the all-reduce timing of an epoch (<see cref="AllReduceTiming"/>); the epoch loop calls it on every rank.</summary>
    internal void ResetAllReduceTiming() => (_allReduceTicks, _averagingTicks, _allReduceSteps) = (0, 0, 0);

    /// <summary>
    /// For rank 0's epoch line: ", all-reduce T ms/step of B MB (A ms/step with copies)", T the mean wall time inside
    /// MPI_Allreduce of the gradients per step since <see cref="ResetAllReduceTiming"/> (waiting there for a slower rank
    /// included), B the bytes each rank sends, A the whole averaging (copying the gradients out and back, dividing).
    /// Empty for one process.
    /// </summary>
    public string AllReduceTiming
    {
        get
        {
            if (!IsDistributed || _allReduceSteps == 0) return "";
            double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / _allReduceSteps;
            return string.Create(CultureInfo.InvariantCulture,
                $", all-reduce {Ms(_allReduceTicks):F3} ms/step of {_allReduceBytes / 1e6:F2} MB ({Ms(_averagingTicks):F3} ms/step with copies)");
        }
    }

    private (double MeanLoss, double Weight) Average(IReadOnlyList<Parameter> parameters, double localLoss, double weight)
    {
        long total = parameters.Sum(p => p.numel());
        if (total + 3 > int.MaxValue) throw new InvalidOperationException("the model has too many parameters for one MPI message");
        // The two buffers live as long as the group, and the gradients are read and written in place through their
        // memory: no tensors, scalars or arrays a step. (Made anew every step, with a tensor and a scalar per parameter,
        // real two-rank runs died tens to hundreds of steps in with "Expected false to be true" from c10::Scalar::toFloat
        // under an in-place add, i.e. libtorch reading a scalar that looked freed; this version ran them through. The
        // cause was not pinned down further: a TorchSharp scalar released while in use is the likely one.)
        if (_send.Length != total + 3) (_send, _sum) = (new float[total + 3], new float[total + 3]);
        float[] send = _send, sum = _sum;
        Array.Clear(send);
        int offset = 0;
        foreach (var p in parameters)
        {
            int n = (int)p.numel();
            if (weight != 0 && p.grad is { } g)
            {
                var mine = send.AsSpan(offset, n);
                if (g.is_contiguous()) MemoryMarshal.Cast<byte, float>(g.bytes).CopyTo(mine);
                else
                    using (var c = g.contiguous()) MemoryMarshal.Cast<byte, float>(c.bytes).CopyTo(mine);
                float w = (float)weight;
                for (int i = 0; i < mine.Length; i++) mine[i] *= w;
            }
            offset += n;
        }
        send[total] = (float)(localLoss * weight);
        send[total + 1] = (float)weight;
        send[total + 2] = _localStop.IsCancellationRequested ? 1 : 0;
        long reduceStarted = Stopwatch.GetTimestamp();
        Mpi.AllReduceSum<float>(send, sum, Mpi.Float);
        _allReduceTicks += Stopwatch.GetTimestamp() - reduceStarted;
        _allReduceBytes = (long)send.Length * sizeof(float);
        _allReduceSteps++;
        if (sum[total + 2] > 0) _agreedStop.Cancel();
        float globalWeight = sum[total + 1];
        if (globalWeight <= 0) throw new InvalidOperationException("a training step with no rows on any rank");
        offset = 0;
        using (no_grad())
            foreach (var p in parameters)
            {
                int n = (int)p.numel();
                var mean = sum.AsSpan(offset, n);
                for (int i = 0; i < mean.Length; i++) mean[i] /= globalWeight;
                if (p.grad is null)
                {
                    // No backward pass reached it here: make the gradient tensor by one that adds zero, then fill it.
                    using var zero = p.sum().mul(0);
                    zero.backward();
                }
                var g = p.grad!;
                if (g.is_contiguous()) MemoryMarshal.AsBytes(mean).CopyTo(g.bytes);
                else
                    using (var values = tensor(mean.ToArray(), p.shape)) g.copy_(values);
                offset += n;
            }
        return (sum[total] / globalWeight, globalWeight);
    }

    /// <summary>Everyone waits here (e.g. for rank 0 to finish writing a checkpoint).</summary>
    public void Barrier()
    {
        if (IsDistributed) Mpi.Barrier();
    }

    /// <summary>Rank 0's value of a double, on every rank.</summary>
    public double BroadcastFromRoot(double value)
    {
        if (!IsDistributed) return value;
        Span<double> v = [value];
        Mpi.Broadcast(v, Mpi.Double);
        return v[0];
    }

    /// <summary>
    /// Checks that every rank has the same <paramref name="value"/> for <paramref name="what"/> (e.g. the seed, the
    /// vocabulary); if any differs, each differing rank writes one line naming itself and the cause, and the job ends.
    /// </summary>
    public void Agree(string what, string value, string cause = "every rank must be started with the same data and options")
    {
        if (!IsDistributed) return;
        byte[] mine = Encoding.UTF8.GetBytes(value);
        Span<double> length = [mine.Length];
        Mpi.Broadcast(length, Mpi.Double);
        byte[] root = new byte[(int)length[0]];
        if (IsRoot) mine.CopyTo(root, 0);
        Mpi.Broadcast<byte>(root, Mpi.Byte);
        bool differs = !root.AsSpan().SequenceEqual(mine);
        var flags = new float[] { differs ? 1 : 0 };
        var any = new float[1];
        Mpi.AllReduceSum<float>(flags, any, Mpi.Float);
        if (any[0] == 0) return;
        if (differs)
        {
            Console.Error.WriteLine($"edgelstm-train: rank {Rank}: {what} not as on rank 0 ({Shorten(value)} against {Shorten(Encoding.UTF8.GetString(root))}); {cause}");
            Console.Error.Flush();
        }
        Mpi.Barrier(); // the lines are out before the job is ended
        Mpi.Abort(2);
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    public void Dispose()
    {
        if (!_mpi) return; // Single is shared and lives as long as the process
        _agreedStop.Dispose();
        Mpi.Shutdown();
    }
}
