namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// One persistent helper thread that runs a fixed piece of work each time it is started: no thread is
/// created per step and nothing is allocated per step. The events spin before they block, so a handoff
/// during a step costs about a microsecond, and an idle helper sleeps.
/// </summary>
internal sealed class StepHelperThread : IDisposable
{
    private readonly ManualResetEventSlim _go = new(false, spinCount: 2000);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2000);
    private readonly Action _work;
    private readonly Thread _thread;
    private volatile bool _stop;
    private Exception? _failure;

    public StepHelperThread(Action work)
    {
        _work = work;
        // A blocking wait creates each event's lock object on first use; do it now so no step ever allocates.
        _done.Wait(1);
        _go.Wait(1);
        _thread = new Thread(Loop) { IsBackground = true, Name = "edgelstm-step-helper" };
        _thread.Start();
    }

    public void Start() => _go.Set();

    public void Join()
    {
        _done.Wait();
        _done.Reset();
        if (_failure is { } e)
        {
            _failure = null;
            throw new InvalidOperationException("the step helper thread failed", e);
        }
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stop) return;
            try { _work(); }
            catch (Exception e) { _failure = e; }
            _done.Set();
        }
    }

    public void Dispose()
    {
        _stop = true;
        _go.Set();
        _thread.Join();
        _go.Dispose();
        _done.Dispose();
    }
}
