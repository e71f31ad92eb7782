using EdgeLstm.Runtime.Poetry;
using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Native;

/// <summary>
/// API version 4 of the C ABI: whole texts out. edgelstm_model_generate (a language model's continuation of a
/// prompt, or a poem in a form) and edgelstm_model_tag (a tagger's text: punctuation restored, or token/label
/// pairs). Output is UTF-8, written whole with its terminator or not at all: a buffer too small gets
/// EDGELSTM_BUFFER_TOO_SMALL and the needed length, never a cut inside a character.
/// </summary>
internal static unsafe class TextExports
{
    [UnmanagedCallersOnly(EntryPoint = "edgelstm_generate_default_params")]
    public static NativeGenerateParams GenerateDefaultParams() => GenerateDefaultParamsValue();

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_generate")]
    public static int ModelGenerate(nint model, byte* prompt, NativeGenerateParams* parameters, byte* output, nuint capacity, nuint* length) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            ModelDescription d = native.Model.Description;
            if (d.Kind != ModelTask.LanguageModel)
                throw new NativeException(NativeStatus.Unsupported, $"a '{d.Task}' model does not generate text");
            CheckOutput(output, capacity, length);
            if (prompt == null) throw new NativeException(NativeStatus.InvalidArgument, "prompt is NULL");
            NativeGenerateParams p = parameters == null ? GenerateDefaultParamsValue() : ReadParams(parameters);
            if (p.MaxTokens is < 0 or > 1 << 20) throw new NativeException(NativeStatus.InvalidArgument, $"params->max_tokens must be 0..{1 << 20}, got {p.MaxTokens}");
            var options = new SamplingOptions(p.Temperature, p.TopK, p.TopP, p.Seed);
            try { options.Validate(); }
            catch (ArgumentException e) { throw new NativeException(NativeStatus.InvalidArgument, $"params: {e.Message}"); }
            string text = StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(prompt), "prompt");
            using ILanguageModelSession session = native.Model.CreateSession();
            string result;
            if (p.Form != null)
            {
                PoemForm form = PoemForm.Parse(StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(p.Form), "params->form"));
                result = new PoemGenerator(session).Generate(text, form, new TokenSampler(options));
            }
            else
                result = text + string.Concat(TextGenerator.Generate(session, text, options, p.MaxTokens));
            return Write(result, output, capacity, length);
        });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_tag")]
    public static int ModelTag(nint model, byte* utf8, byte* output, nuint capacity, nuint* length) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            ModelDescription d = native.Model.Description;
            if (d.Kind != ModelTask.Tagger) throw new NativeException(NativeStatus.Unsupported, $"a '{d.Task}' model does not tag; edgelstm_model_run_text runs any model");
            CheckOutput(output, capacity, length);
            if (utf8 == null) throw new NativeException(NativeStatus.InvalidArgument, "text is NULL");
            string text = StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(utf8), "text");
            using ISequenceRunner runner = native.Model.CreateRunner();
            string[] labels = d.Head.Labels;
            string result;
            if (PunctuationTags.IsRestorer(d))
            {
                string plain = PunctuationTags.Strip(text, labels).Text;
                result = PunctuationTags.Restore(plain, TaggerEvaluator.Tag(runner, native.Model.Tokenizer, plain, native.Model.Crf), labels);
            }
            else
            {
                result = TaggerEvaluator.WordTags(native.Model, runner, text);
            }
            return Write(result, output, capacity, length);
        });

    private static NativeGenerateParams GenerateDefaultParamsValue() => new()
    {
        StructSize = (nuint)sizeof(NativeGenerateParams), MaxTokens = 200, Temperature = 0.8f, TopK = 0, TopP = 1f, Seed = 42, Form = null,
    };

    /// <summary>The caller's struct over the defaults: only the fields its struct_size covers are read.</summary>
    private static NativeGenerateParams ReadParams(NativeGenerateParams* parameters)
    {
        nuint size = parameters->StructSize;
        if (size < (nuint)sizeof(nuint) || size > (nuint)sizeof(NativeGenerateParams))
            throw new NativeException(NativeStatus.InvalidArgument, $"params->struct_size {size} is not a size of edgelstm_generate_params (start from edgelstm_generate_default_params)");
        NativeGenerateParams p = GenerateDefaultParamsValue();
        Buffer.MemoryCopy(parameters, &p, sizeof(NativeGenerateParams), (long)size);
        return p;
    }

    private static void CheckOutput(byte* output, nuint capacity, nuint* length)
    {
        if (length == null) throw new NativeException(NativeStatus.InvalidArgument, "length is NULL");
        if (output == null && capacity > 0) throw new NativeException(NativeStatus.InvalidArgument, "output is NULL with a capacity");
    }

    /// <summary>The text NUL-terminated, whole or not at all; *length is its byte count without the terminator either way.</summary>
    private static NativeStatus Write(string text, byte* output, nuint capacity, nuint* length)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        *length = (nuint)bytes.Length;
        if ((nuint)bytes.Length + 1 > capacity)
            throw new NativeException(NativeStatus.BufferTooSmall, $"the text needs {bytes.Length + 1} bytes with its terminator; the buffer holds {capacity}");
        bytes.CopyTo(new Span<byte>(output, bytes.Length));
        output[bytes.Length] = 0;
        return NativeStatus.Ok;
    }
}

/// <summary>edgelstm_generate_params (include/edgelstm.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeGenerateParams
{
    public nuint StructSize;
    /// <summary>Tokens to sample after the prompt (ignored with a form: the form sets the length).</summary>
    public int MaxTokens;
    public float Temperature;
    public int TopK;
    public float TopP;
    public ulong Seed;
    /// <summary>NUL-terminated form name (jueju5, jueju7, lushi5, lushi7) or NULL.</summary>
    public byte* Form;
}
