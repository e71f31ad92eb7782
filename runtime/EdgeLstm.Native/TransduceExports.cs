namespace EdgeLstm.Native;

/// <summary>API version 3 of the C ABI: edgelstm_model_transduce, a sequence-to-sequence model's output for a UTF-8 input.</summary>
internal static unsafe class TransduceExports
{
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_transduce")]
    public static int ModelTransduce(nint model, byte* utf8, int beamWidth, byte* output, nuint capacity, nuint* length) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            ModelDescription d = native.Model.Description;
            if (d.Kind != ModelTask.Transducer)
                throw new NativeException(NativeStatus.Unsupported, $"a '{d.Task}' model does not transduce; edgelstm_model_run_text runs any model");
            if (utf8 == null) throw new NativeException(NativeStatus.InvalidArgument, "text is NULL");
            if (length == null) throw new NativeException(NativeStatus.InvalidArgument, "length is NULL");
            if (output == null && capacity > 0) throw new NativeException(NativeStatus.InvalidArgument, "output is NULL with a capacity");
            if (beamWidth is < 1 or > BeamSearchTransducer.DefaultMaxBeam)
                throw new NativeException(NativeStatus.InvalidArgument, $"beam_width {beamWidth} must be in 1..{BeamSearchTransducer.DefaultMaxBeam}");
            string text = StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(utf8), "text");
            int[] tokens = TransducerText.Encode(native.Model.Tokenizer, text);
            // A transducer per call: a model handle may be shared by threads, and each call has its own buffers.
            using ITransducer transducer = native.Model.CreateTransducer();
            var ids = new int[d.Head.Decoder!.MaxSteps];
            int n = transducer.Transduce(tokens, beamWidth, ids);
            byte[] bytes = Encoding.UTF8.GetBytes(TransducerText.Symbols(d, ids.AsSpan(0, n)));
            *length = (nuint)bytes.Length;
            if ((nuint)bytes.Length + 1 > capacity)
                throw new NativeException(NativeStatus.BufferTooSmall, $"the output needs {bytes.Length + 1} bytes with its terminator; the buffer holds {capacity}");
            bytes.CopyTo(new Span<byte>(output, bytes.Length));
            output[bytes.Length] = 0;
            return NativeStatus.Ok;
        });
}
