using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Native;

/// <summary>
/// The C ABI of sequence-to-sequence models: edgelstm_model_transduce (API 3), a transducer per call, and
/// edgelstm_transducer_* (API 7), one kept between calls with its buffers and, on two threads, the encoder's helper.
/// </summary>
internal static unsafe class TransduceExports
{
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_transduce")]
    public static int ModelTransduce(nint model, byte* utf8, int beamWidth, byte* output, nuint capacity, nuint* length) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            CheckTransducer(native.Model.Description);
            // A transducer per call: a model handle may be shared by threads, and each call has its own buffers.
            using ITransducer transducer = native.Model.CreateTransducer();
            return Transduce(transducer, native.Model, utf8, beamWidth, output, capacity, length);
        });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_transducer_create")]
    public static int TransducerCreate(nint model, int threads, nint* transducer) => NativeErrors.Guard(() =>
    {
        if (transducer == null) throw new NativeException(NativeStatus.InvalidArgument, "transducer is NULL");
        *transducer = 0;
        var owner = HandleTable.Get<NativeModel>(model, "model");
        CheckTransducer(owner.Model.Description);
        if (threads is < EncoderThreads.Auto or > 2) throw new NativeException(NativeStatus.InvalidArgument, $"threads must be 0 (auto), 1 or 2, got {threads}");
        // Float models run on one core whatever is asked, as runners do.
        ITransducer created = owner.Model is QuantizedLstmModel q
            ? q.CreateTransducer(LstmKernels.For(q), BeamSearchTransducer.DefaultMaxBeam, threads)
            : owner.Model.CreateTransducer();
        *transducer = HandleTable.Add(new NativeTransducer(created, owner.Model));
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_transducer_run")]
    public static int TransducerRun(nint transducer, byte* utf8, int beamWidth, byte* output, nuint capacity, nuint* length) => NativeErrors.Guard(() =>
    {
        var native = HandleTable.Get<NativeTransducer>(transducer, "transducer");
        return Transduce(native.Transducer, native.Model, utf8, beamWidth, output, capacity, length);
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_transducer_free")]
    public static int TransducerFree(nint transducer) => NativeErrors.Guard(() =>
    {
        HandleTable.Remove<NativeTransducer>(transducer, "transducer").Dispose();
        return NativeStatus.Ok;
    });

    private static void CheckTransducer(ModelDescription d)
    {
        if (d.Kind != ModelTask.Transducer)
            throw new NativeException(NativeStatus.Unsupported, $"a '{d.Task}' model does not transduce; edgelstm_model_run_text runs any model");
    }

    /// <summary>One input through <paramref name="transducer"/>: the output symbols, space-separated and NUL-terminated, into the caller's buffer.</summary>
    private static NativeStatus Transduce(ITransducer transducer, ILanguageModel model, byte* utf8, int beamWidth, byte* output, nuint capacity, nuint* length)
    {
        ModelDescription d = model.Description;
        if (utf8 == null) throw new NativeException(NativeStatus.InvalidArgument, "text is NULL");
        if (length == null) throw new NativeException(NativeStatus.InvalidArgument, "length is NULL");
        if (output == null && capacity > 0) throw new NativeException(NativeStatus.InvalidArgument, "output is NULL with a capacity");
        if (beamWidth is < 1 or > BeamSearchTransducer.DefaultMaxBeam)
            throw new NativeException(NativeStatus.InvalidArgument, $"beam_width {beamWidth} must be in 1..{BeamSearchTransducer.DefaultMaxBeam}");
        string text = StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(utf8), "text");
        int[] tokens = TransducerText.Encode(model.Tokenizer, text);
        var ids = new int[d.Head.Decoder!.MaxSteps];
        int n = transducer.Transduce(tokens, beamWidth, ids);
        byte[] bytes = Encoding.UTF8.GetBytes(TransducerText.Symbols(d, ids.AsSpan(0, n)));
        *length = (nuint)bytes.Length;
        if ((nuint)bytes.Length + 1 > capacity)
            throw new NativeException(NativeStatus.BufferTooSmall, $"the output needs {bytes.Length + 1} bytes with its terminator; the buffer holds {capacity}");
        bytes.CopyTo(new Span<byte>(output, bytes.Length));
        output[bytes.Length] = 0;
        return NativeStatus.Ok;
    }
}
