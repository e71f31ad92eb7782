using System.Runtime.InteropServices;

namespace EdgeLstm.Trainer;

/// <summary>
/// Ctrl-C and SIGTERM for a long training run. The first asks the running epoch to stop after its current batch
/// (<see cref="EpochLoop"/> keeps the last completed epoch's checkpoint); a second exits at once. SIGTERM matters
/// for runs in the background, where the shell makes the process ignore SIGINT.
/// <para>Distributed, the first signal is also when a rank learns that another one died (mpirun's SIGTERM), and then it
/// ends at once (<see cref="DistributedGroup.EndIfAnotherRankDied"/>); otherwise the stop is agreed between the ranks
/// (<see cref="DistributedGroup.StopToken"/>), so the trainer must use <see cref="Token"/> through it.</para>
/// </summary>
internal sealed class TrainingInterrupt : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _terminate;
    private readonly DistributedGroup? _group;

    public TrainingInterrupt(DistributedGroup? group = null)
    {
        _group = group;
        Console.CancelKeyPress += OnCancelKey;
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            if (_cancel.IsCancellationRequested) return;
            context.Cancel = true;
            _group?.EndIfAnotherRankDied();
            _cancel.Cancel();
        });
    }

    public CancellationToken Token => _cancel.Token;

    private void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
    {
        if (_cancel.IsCancellationRequested) return;
        e.Cancel = true;
        _group?.EndIfAnotherRankDied();
        _cancel.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKey;
        _terminate.Dispose();
        _cancel.Dispose();
    }
}
