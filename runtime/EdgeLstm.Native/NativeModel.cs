namespace EdgeLstm.Native;

/// <summary>
/// A loaded model behind a C handle; read-only, so any number of sessions on any threads may share it.
/// edgelstm_model_free disposes it; its sessions keep the weights until each is freed (see edgelstm.h).
/// The strings edgelstm_model_get_info and edgelstm_model_label hand out are made once and live as long as it.
/// </summary>
internal sealed unsafe class NativeModel : IDisposable
{
    private readonly List<nint> _strings = [];
    private readonly Lock _gate = new();
    private byte*[]? _labels;
    private byte* _task, _inputKind, _tokenizer, _head, _pooling;

    public NativeModel(ILanguageModel model) => Model = model;

    public ILanguageModel Model { get; }

    /// <summary>The tokenizer of a model over tokens; null for one over float vectors.</summary>
    public ITokenizer? TextTokenizer => Model.HasEmbedding ? Model.Tokenizer : null;

    /// <summary>An .elstm file is memory-mapped (its weights are viewed in place, shared between processes); a safetensors file is read.</summary>
    public static NativeModel FromPath(string path) => new(ModelLoader.Load(path));

    /// <summary>Reads .elstm or float safetensors by the first bytes. The model views <paramref name="bytes"/> in place: pass an array nobody else writes (the C export passes its own copy, so its caller may free its buffer).</summary>
    public static NativeModel FromBytes(byte[] bytes, string source) => new(ModelLoader.Load(bytes, source));

    /// <summary>Fills the C info struct (fields up to <paramref name="size"/> bytes: a caller built against an older header gets fewer).</summary>
    public void FillInfo(NativeModelInfo* info, nuint size)
    {
        ModelDescription d = Model.Description;
        lock (_gate)
        {
            if (_task == null)
            {
                _task = Utf8(d.Task);
                _inputKind = Utf8(d.Input.Kind);
                _tokenizer = d.Input.Tokenizer is null ? null : Utf8(d.Input.Tokenizer.Kind);
                _head = Utf8(d.Head.Kind);
                _pooling = Utf8(d.Head.Pooling);
            }
        }
        var full = new NativeModelInfo
        {
            StructSize = (nuint)sizeof(NativeModelInfo),
            Task = _task, InputKind = _inputKind, Tokenizer = _tokenizer, Head = _head, Pooling = _pooling,
            InputSize = d.Input.Size, OutputSize = d.Head.Size, VocabSize = d.Input.Tokenizer?.Vocabulary.Length ?? 0,
            Layers = d.Encoder.Length, Bidirectional = d.IsBidirectional ? 1 : 0, Steppable = d.IsSteppable ? 1 : 0,
            LabelCount = d.Head.Labels.Length, MaxSteps = d.Input.MaxSteps ?? 0,
            ForecastHistory = d.Input.Series?.RequiredHistory ?? 0, ForecastHorizon = d.Input.Series?.Horizon ?? 0,
        };
        // Copy only what the caller's struct holds; it says how big it is in its first field.
        nuint copy = Math.Min(size, (nuint)sizeof(NativeModelInfo));
        new ReadOnlySpan<byte>(&full, (int)copy).CopyTo(new Span<byte>(info, (int)copy));
        info->StructSize = copy;
    }

    public byte* Label(int index)
    {
        string[] labels = Model.Description.Head.Labels;
        if ((uint)index >= (uint)labels.Length)
            throw new NativeException(NativeStatus.InvalidArgument, labels.Length == 0 ? $"a '{Model.Description.Task}' model has no labels" : $"label index {index} is outside 0..{labels.Length - 1}");
        lock (_gate)
        {
            _labels ??= new byte*[labels.Length];
            if (_labels[index] == null) _labels[index] = Utf8(labels[index]);
            return _labels[index];
        }
    }

    private byte* Utf8(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        _strings.Add((nint)p);
        return p;
    }

    public void Dispose()
    {
        Model.Dispose();
        lock (_gate)
        {
            foreach (nint p in _strings) NativeMemory.Free((void*)p);
            _strings.Clear();
        }
    }
}

/// <summary>edgelstm_model_info (include/edgelstm.h), field for field.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeModelInfo
{
    public nuint StructSize;
    public byte* Task, InputKind, Tokenizer, Head, Pooling;
    public int InputSize, OutputSize, VocabSize, Layers, Bidirectional, Steppable, LabelCount, MaxSteps;
    public int ForecastHistory, ForecastHorizon;
}

/// <summary>edgelstm_run_params (include/edgelstm.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeRunParams
{
    public nuint StructSize;
    /// <summary>Cut inputs to this many steps: 0 = the model's own max_steps (none if it has none), −1 = never cut.</summary>
    public int MaxSteps;
    /// <summary>1: softmax over each output row (probabilities of a classify or tag head) instead of logits.</summary>
    public int Softmax;
}

/// <summary>
/// A whole-sequence runner behind a C handle (edgelstm_runner): its buffers and, on two threads, its helper thread
/// live as long as the handle. One thread at a time per runner (documented in edgelstm.h). It keeps what it needs
/// of the model (the weights through the runner, the tokenizer here), so it may outlive the model's handle.
/// </summary>
internal sealed class NativeRunner(ISequenceRunner runner, ITokenizer? tokenizer) : IDisposable
{
    public ISequenceRunner Runner { get; } = runner;
    public ITokenizer? Tokenizer { get; } = tokenizer;

    public void Dispose() => Runner.Dispose();
}

/// <summary>A kept transducer behind a C handle (edgelstm_transducer_*), with its model for the tokenizer and description.</summary>
internal sealed class NativeTransducer(ITransducer transducer, ILanguageModel model) : IDisposable
{
    public ITransducer Transducer { get; } = transducer;
    public ILanguageModel Model { get; } = model;

    public void Dispose() => Transducer.Dispose();
}

/// <summary>A session behind a C handle. One thread at a time per session (documented in edgelstm.h).</summary>
internal sealed class NativeSession(NativeModel model, ILanguageModelSession session) : IDisposable
{
    public NativeModel Model { get; } = model;
    public ILanguageModelSession Session { get; } = session;

    public void Dispose() => Session.Dispose();
}
