using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;
using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Native;

/// <summary>
/// The C ABI (include/edgelstm.h). Every function returns an edgelstm_status; on failure
/// edgelstm_last_error() gives a one-line message for the calling thread. Exceptions never cross.
/// </summary>
internal static unsafe class Exports
{
    private static readonly byte* VersionString = Utf8Constant("0.1.0");
    private static byte* _kernelName;

    private static byte* Utf8Constant(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s + "\0");
        byte* p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }

    /// <summary>A NUL-terminated UTF-8 argument, decoded strictly: invalid bytes are an error naming their offset, not U+FFFD.</summary>
    private static string Utf8Arg(byte* text, string name) =>
        text == null ? throw new NativeException(NativeStatus.InvalidArgument, $"{name} is NULL")
            : StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text), name);

    private static T* OutArg<T>(T* pointer, string name) where T : unmanaged =>
        pointer == null ? throw new NativeException(NativeStatus.InvalidArgument, $"{name} is NULL") : pointer;

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_version")]
    public static byte* Version() => VersionString;

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_format_version")]
    public static int FormatVersion(int* major, int* minor) => NativeErrors.Guard(() =>
    {
        *OutArg(major, "major") = ModelFileLayout.MajorVersion;
        *OutArg(minor, "minor") = ModelFileLayout.MinorVersion;
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_last_error")]
    public static byte* LastError() => NativeErrors.LastMessage;

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_kernel_name")]
    public static byte* KernelName()
    {
        if (_kernelName == null) _kernelName = Utf8Constant(LstmKernels.Default.Name);
        return _kernelName;
    }

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_load")]
    public static int ModelLoad(byte* path, nint* model) => NativeErrors.Guard(() =>
    {
        string file = Utf8Arg(path, "path");
        nint* output = OutArg(model, "model");
        *output = 0;
        if (!File.Exists(file)) throw new NativeException(NativeStatus.FileNotFound, $"{file}: no such file");
        *output = HandleTable.Add(NativeModel.FromPath(file));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_load_memory")]
    public static int ModelLoadMemory(byte* data, nuint size, nint* model) => NativeErrors.Guard(() =>
    {
        nint* output = OutArg(model, "model");
        *output = 0;
        if (data == null) throw new NativeException(NativeStatus.InvalidArgument, "data is NULL");
        if (size > int.MaxValue - 64) throw new NativeException(NativeStatus.InvalidArgument, $"size {size} is too large");
        *output = HandleTable.Add(NativeModel.FromBytes(new ReadOnlySpan<byte>(data, (int)size).ToArray(), "memory buffer"));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_free")]
    public static int ModelFree(nint model) => NativeErrors.Guard(() =>
    {
        HandleTable.Remove<NativeModel>(model, "model").Dispose();
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_vocab_size")]
    public static int ModelVocabSize(nint model, int* size) => NativeErrors.Guard(() =>
    {
        *OutArg(size, "size") = HandleTable.Get<NativeModel>(model, "model").Model.Tokenizer.VocabularySize;
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_encode")]
    public static int ModelEncode(nint model, byte* utf8, int* ids, nuint capacity, nuint* count) => NativeErrors.Guard(() =>
    {
        var tokenizer = HandleTable.Get<NativeModel>(model, "model").Model.Tokenizer;
        int[] encoded = tokenizer.EncodeStrict(Utf8Arg(utf8, "text"), "text");
        *OutArg(count, "count") = (nuint)encoded.Length;
        if ((nuint)encoded.Length > capacity)
            throw new NativeException(NativeStatus.BufferTooSmall, $"text needs {encoded.Length} ids; the buffer holds {capacity}");
        if (encoded.Length > 0) encoded.CopyTo(new Span<int>(OutArg(ids, "ids"), encoded.Length));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_token_text")]
    public static int ModelTokenText(nint model, int token, byte* buffer, nuint capacity, nuint* length) => NativeErrors.Guard(() =>
    {
        var tokenizer = HandleTable.Get<NativeModel>(model, "model").Model.Tokenizer;
        if ((uint)token >= (uint)tokenizer.VocabularySize)
            throw new NativeException(NativeStatus.InvalidArgument, $"token {token} is outside 0..{tokenizer.VocabularySize - 1}");
        byte[] text = Encoding.UTF8.GetBytes(tokenizer.TokenText(token));
        *OutArg(length, "length") = (nuint)text.Length;
        if ((nuint)text.Length + 1 > capacity)
            throw new NativeException(NativeStatus.BufferTooSmall, $"token text needs {text.Length + 1} bytes with its terminator; the buffer holds {capacity}");
        var span = new Span<byte>(OutArg(buffer, "buffer"), text.Length + 1);
        text.CopyTo(span);
        span[^1] = 0;
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_create")]
    public static int SessionCreate(nint model, int threads, nint* session) => NativeErrors.Guard(() =>
    {
        nint* output = OutArg(session, "session");
        *output = 0;
        var owner = HandleTable.Get<NativeModel>(model, "model");
        if (threads is < EncoderThreads.Auto or > 2) throw new NativeException(NativeStatus.InvalidArgument, $"threads must be 0 (auto), 1 or 2, got {threads}");
        if (!owner.Model.Description.IsSteppable)
            throw new NativeException(NativeStatus.Unsupported,
                $"a '{owner.Model.Description.Task}' model runs whole sequences, not steps: use edgelstm_model_run_tokens, edgelstm_model_run_text or edgelstm_model_classify");
        ILanguageModelSession created = owner.Model is QuantizedLstmModel q ? q.CreateSession(LstmKernels.For(q), threads) : owner.Model.CreateSession();
        *output = HandleTable.Add(new NativeSession(owner, created));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_free")]
    public static int SessionFree(nint session) => NativeErrors.Guard(() =>
    {
        HandleTable.Remove<NativeSession>(session, "session").Dispose();
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_reset")]
    public static int SessionReset(nint session) => NativeErrors.Guard(() =>
    {
        HandleTable.Get<NativeSession>(session, "session").Session.Reset();
        return NativeStatus.Ok;
    });

    /// <summary>The hot call: no closure, no allocation on success.</summary>
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_step")]
    [SkipLocalsInit]
    public static int SessionStep(nint session, int token, float* logits, nuint capacity)
    {
        try
        {
            var native = HandleTable.Get<NativeSession>(session, "session");
            var s = native.Session;
            if (!native.Model.Model.HasEmbedding)
                return NativeErrors.Fail(NativeStatus.Unsupported, "this model reads float input vectors (a sequence model); step it with edgelstm_session_step_input");
            int vocab = s.Tokenizer.VocabularySize;
            if ((uint)token >= (uint)vocab)
                return NativeErrors.Fail(NativeStatus.InvalidArgument, $"token {token} is outside 0..{vocab - 1}");
            if (logits != null && capacity < (nuint)vocab)
                return NativeErrors.Fail(NativeStatus.BufferTooSmall, $"logits buffer holds {capacity} floats; the model has {vocab} tokens");
            ReadOnlySpan<float> result = s.Step(token);
            if (logits != null) result.CopyTo(new Span<float>(logits, vocab));
            return (int)NativeStatus.Ok;
        }
        catch (Exception e) { return NativeErrors.Fail(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_step_input")]
    [SkipLocalsInit]
    public static int SessionStepInput(nint session, float* input, nuint length, float* outputs, nuint capacity)
    {
        try
        {
            var s = HandleTable.Get<NativeSession>(session, "session").Session;
            if (input == null) return NativeErrors.Fail(NativeStatus.InvalidArgument, "input must not be NULL");
            if (length != (nuint)s.InputSize)
                return NativeErrors.Fail(NativeStatus.InvalidArgument, $"input has {length} floats; the model takes {s.InputSize}");
            int count = s.Logits.Length;
            if (outputs != null && capacity < (nuint)count)
                return NativeErrors.Fail(NativeStatus.BufferTooSmall, $"outputs buffer holds {capacity} floats; the model has {count} outputs");
            ReadOnlySpan<float> result = s.StepInput(new ReadOnlySpan<float>(input, s.InputSize));
            if (outputs != null) result.CopyTo(new Span<float>(outputs, count));
            return (int)NativeStatus.Ok;
        }
        catch (Exception e) { return NativeErrors.Fail(e); }
    }

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_io_sizes")]
    public static int ModelIoSizes(nint model, nuint* input, nuint* outputs) => NativeErrors.Guard(() =>
    {
        var m = HandleTable.Get<NativeModel>(model, "model").Model;
        *OutArg(input, "input") = (nuint)m.InputWidth;
        *OutArg(outputs, "outputs") = (nuint)m.OutputSize;
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_state_size")]
    public static int SessionStateSize(nint session, nuint* floats) => NativeErrors.Guard(() =>
    {
        *OutArg(floats, "floats") = (nuint)HandleTable.Get<NativeSession>(session, "session").Session.StateLength;
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_get_state")]
    public static int SessionGetState(nint session, float* state, nuint length) => NativeErrors.Guard(() =>
    {
        var s = HandleTable.Get<NativeSession>(session, "session").Session;
        if (length != (nuint)s.StateLength) throw new NativeException(NativeStatus.BufferTooSmall, $"state buffer holds {length} floats; the state has {s.StateLength}");
        s.SaveState(new Span<float>(OutArg(state, "state"), s.StateLength));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_session_set_state")]
    public static int SessionSetState(nint session, float* state, nuint length) => NativeErrors.Guard(() =>
    {
        var s = HandleTable.Get<NativeSession>(session, "session").Session;
        if (length != (nuint)s.StateLength) throw new NativeException(NativeStatus.InvalidArgument, $"state has {length} floats; expected {s.StateLength}");
        s.LoadState(new ReadOnlySpan<float>(OutArg(state, "state"), s.StateLength));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_sampler_create")]
    public static int SamplerCreate(float temperature, int topK, float topP, ulong seed, nint* sampler) => NativeErrors.Guard(() =>
    {
        nint* output = OutArg(sampler, "sampler");
        *output = 0;
        *output = HandleTable.Add(new TokenSampler(new SamplingOptions(temperature, topK, topP, seed)));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_sampler_sample")]
    public static int SamplerSample(nint sampler, float* logits, nuint count, int* token) => NativeErrors.Guard(() =>
    {
        var s = HandleTable.Get<TokenSampler>(sampler, "sampler");
        if (count == 0 || count > int.MaxValue) throw new NativeException(NativeStatus.InvalidArgument, $"count {count} must be in 1..{int.MaxValue}");
        if (logits == null) throw new NativeException(NativeStatus.InvalidArgument, "logits is NULL");
        *OutArg(token, "token") = s.Sample(new ReadOnlySpan<float>(logits, (int)count));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_sampler_free")]
    public static int SamplerFree(nint sampler) => NativeErrors.Guard(() =>
    {
        HandleTable.Remove<TokenSampler>(sampler, "sampler");
        return NativeStatus.Ok;
    });
}
