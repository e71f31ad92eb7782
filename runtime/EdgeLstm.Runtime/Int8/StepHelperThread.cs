using System.Diagnostics;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// One persistent helper thread that runs a fixed piece of work each time it is started: no thread is
/// created per step and nothing is allocated per step. A step's halves take microseconds, so the handoff is a
/// counter both threads spin on (about 100 ns); waking a blocked thread through the kernel would cost more
/// than the half step on a VM. The helper spins for <see cref="SpinBeforeSleep"/> after its last piece of
/// work and then sleeps on an event, so an idle session costs no CPU.
/// </summary>
internal sealed class StepHelperThread : IDisposable
{
    private static readonly long SpinBeforeSleep = Stopwatch.Frequency / 2000; // 0.5 ms
    private static readonly long TightJoinSpin = Stopwatch.Frequency / 20000; // 50 µs
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Action _work;
    private readonly Thread _thread;
    private int _posted;    // pieces of work started (written by the owner only)
    private int _finished;  // pieces of work the helper has completed
    private int _sleeping;  // 1 while the helper is about to block or blocked on _wake
    private volatile bool _stop;
    private Exception? _failure;

    public StepHelperThread(Action work)
    {
        _work = work;
        // A blocking wait creates the event's lock object on first use; do it now so no step ever allocates.
        _wake.Wait(1);
        _thread = new Thread(Loop) { IsBackground = true, Name = "edgelstm-step-helper" };
        _thread.Start();
    }

    public void Start()
    {
        // Posting to a stopped helper would leave Join spinning forever.
        ObjectDisposedException.ThrowIf(_stop, this);
        // Full fences on both sides (Interlocked here, Interlocked.Exchange in Loop): either the helper sees the
        // new count before it blocks, or this thread sees it sleeping and wakes it.
        Interlocked.Increment(ref _posted);
        if (Volatile.Read(ref _sleeping) == 1) _wake.Set();
    }

    public void Join()
    {
        int target = Volatile.Read(ref _posted);
        // Poll at the finest grain for about a step's time; SpinWait.SpinOnce backs off (longer pauses, then
        // yields), which added a microsecond or more per handoff. After that, yield: if the helper shares this
        // core, it must be let run.
        long spinStart = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _finished) != target)
        {
            if (Stopwatch.GetTimestamp() - spinStart > TightJoinSpin) break;
            Thread.SpinWait(1);
        }
        var spinner = new SpinWait();
        while (Volatile.Read(ref _finished) != target) spinner.SpinOnce(sleep1Threshold: -1);
        if (_failure is { } e)
        {
            _failure = null;
            throw new InvalidOperationException("the step helper thread failed", e);
        }
    }

    private void Loop()
    {
        int seen = 0;
        while (true)
        {
            long spinStart = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _posted) == seen && !_stop)
            {
                if (Stopwatch.GetTimestamp() - spinStart < SpinBeforeSleep)
                {
                    // One normalized pause per check: SpinWait(16) polled every ~0.5 µs or more and delayed
                    // the helper's start by 1–3 µs per handoff (measured).
                    Thread.SpinWait(1);
                    continue;
                }
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _posted) == seen && !_stop) _wake.Wait();
                Interlocked.Exchange(ref _sleeping, 0);
                _wake.Reset();
                spinStart = Stopwatch.GetTimestamp();
            }
            if (_stop) return;
            seen = Volatile.Read(ref _posted);
            try { _work(); }
            catch (Exception e) { _failure = e; }
            Volatile.Write(ref _finished, seen);
        }
    }

    public void Dispose()
    {
        if (_stop) return;
        _stop = true;
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
    }
}
