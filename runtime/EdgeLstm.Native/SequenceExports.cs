namespace EdgeLstm.Native;

/// <summary>
/// API version 2 of the C ABI: what a model is (edgelstm_model_get_info, edgelstm_model_label) and whole-sequence
/// runs of any model (edgelstm_model_run_tokens, edgelstm_model_run_text, edgelstm_model_classify) with options in
/// a params struct from edgelstm_run_default_params, as llama.h passes them: fields can be added without breaking
/// callers, who state their struct's size.
/// </summary>
internal static unsafe class SequenceExports
{
    /// <summary>2: model info, whole-sequence runs, classify. 3: edgelstm_model_forecast, the forecast_* info fields, edgelstm_model_transduce. 4: edgelstm_model_generate, edgelstm_model_tag. 5: edgelstm_runner_* (RunnerExports). 6: threads auto. 7: edgelstm_transducer_* (TransduceExports).</summary>
    public const int ApiVersion = 7;

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_api_version")]
    public static int GetApiVersion() => ApiVersion;

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_get_info")]
    public static int ModelGetInfo(nint model, NativeModelInfo* info) => NativeErrors.Guard(() =>
    {
        var native = HandleTable.Get<NativeModel>(model, "model");
        if (info == null) throw new NativeException(NativeStatus.InvalidArgument, "info is NULL");
        if (info->StructSize < (nuint)sizeof(nuint))
            throw new NativeException(NativeStatus.InvalidArgument, "info->struct_size must be set to sizeof(edgelstm_model_info)");
        native.FillInfo(info, info->StructSize);
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_label")]
    public static int ModelLabel(nint model, int index, byte** label) => NativeErrors.Guard(() =>
    {
        var native = HandleTable.Get<NativeModel>(model, "model");
        if (label == null) throw new NativeException(NativeStatus.InvalidArgument, "label is NULL");
        *label = native.Label(index);
        return NativeStatus.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_run_default_params")]
    public static NativeRunParams RunDefaultParams() => new() { StructSize = (nuint)sizeof(NativeRunParams), MaxSteps = 0, Softmax = 0 };

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_run_tokens")]
    public static int ModelRunTokens(nint model, int* tokens, nuint length, NativeRunParams* parameters, float* outputs, nuint capacity, nuint* count) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            if (tokens == null) throw new NativeException(NativeStatus.InvalidArgument, "tokens is NULL");
            if (length == 0 || length > int.MaxValue) throw new NativeException(NativeStatus.InvalidArgument, $"length {length} must be in 1..{int.MaxValue}");
            // A runner per call: runners are single-threaded, and a model handle may be used from any thread.
            using ISequenceRunner runner = native.Model.CreateRunner();
            return Run(runner, new ReadOnlySpan<int>(tokens, (int)length), [], parameters, outputs, capacity, count);
        });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_run_text")]
    public static int ModelRunText(nint model, byte* utf8, NativeRunParams* parameters, float* outputs, nuint capacity, nuint* count) =>
        NativeErrors.Guard(() =>
        {
            var native = HandleTable.Get<NativeModel>(model, "model");
            var (tokens, affixes) = Encode(native.TextTokenizer, native.Model.Description, utf8);
            using ISequenceRunner runner = native.Model.CreateRunner();
            return Run(runner, tokens, affixes, parameters, outputs, capacity, count);
        });

    [UnmanagedCallersOnly(EntryPoint = "edgelstm_model_classify")]
    public static int ModelClassify(nint model, byte* utf8, int* label, float* probability) => NativeErrors.Guard(() =>
    {
        var native = HandleTable.Get<NativeModel>(model, "model");
        HeadDescription head = native.Model.Description.Head;
        if (native.Model.Description.Kind != ModelTask.Classifier)
            throw new NativeException(NativeStatus.Unsupported, $"a '{native.Model.Description.Task}' model does not classify; edgelstm_model_run_text runs any model");
        if (label == null) throw new NativeException(NativeStatus.InvalidArgument, "label is NULL");
        var (tokens, affixes) = Encode(native.TextTokenizer, native.Model.Description, utf8);
        int steps = Math.Min(tokens.Length, native.Model.Description.Input.MaxSteps is int max and > 0 ? max : int.MaxValue);
        int per = native.Model.Description.Input.Affixes?.PerWord ?? 0;
        using ISequenceRunner runner = native.Model.CreateRunner();
        Span<float> p = stackalloc float[head.Size];
        StableSoftmax.Compute(runner.Run(tokens.AsSpan(0, steps), affixes.AsSpan(0, steps * per)), p);
        *label = ClassificationMetrics.ArgMax(p);
        if (probability != null) *probability = p[*label];
        return NativeStatus.Ok;
    });

    /// <summary>
    /// Token ids of a UTF-8 text (an empty text is one &lt;unk&gt;) and, for a model with input.affixes, each word's
    /// affix ids (else none); <paramref name="tokenizer"/> is null for a model over float vectors.
    /// </summary>
    public static (int[] Tokens, int[] Affixes) Encode(ITokenizer? tokenizer, ModelDescription description, byte* utf8)
    {
        if (tokenizer is null) throw new NativeException(NativeStatus.Unsupported, "this model reads float input vectors, not text");
        if (utf8 == null) throw new NativeException(NativeStatus.InvalidArgument, "text is NULL");
        string text = StrictUtf8.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(utf8), "text");
        int[] tokens = tokenizer.Encode(text);
        if (tokens.Length > 0) return (tokens, TaggerEvaluator.AffixIds(description, tokenizer, text));
        return ([tokenizer.UnknownId], description.Input.Affixes is { } affixes ? new WordAffixes(affixes).Encode([""]) : []);
    }

    /// <summary>
    /// Runs the whole sequence on <paramref name="runner"/>: the outputs of a pooled head, or steps × outputs of a
    /// per-step head. Allocates nothing on a warmed-up runner unless the call fails.
    /// </summary>
    /// <param name="affixes">Each token's affix ids for a model with input.affixes (cut with the tokens), else empty.</param>
    public static NativeStatus Run(ISequenceRunner runner, ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes, NativeRunParams* parameters, float* outputs, nuint capacity, nuint* count)
    {
        var p = parameters == null ? new NativeRunParams { MaxSteps = 0 } : *parameters;
        ModelDescription d = runner.Description;
        if (parameters != null && p.StructSize < (nuint)sizeof(nuint) * 2)
            throw new NativeException(NativeStatus.InvalidArgument, "params->struct_size must be set (use edgelstm_run_default_params())");
        if (p.MaxSteps < -1) throw new NativeException(NativeStatus.InvalidArgument, $"params->max_steps must be ≥ -1, got {p.MaxSteps}");
        if (p.Softmax is not (0 or 1)) throw new NativeException(NativeStatus.InvalidArgument, $"params->softmax must be 0 or 1, got {p.Softmax}");
        if (p.Softmax == 1 && d.Kind is not (ModelTask.Classifier or ModelTask.Tagger or ModelTask.LanguageModel))
            throw new NativeException(NativeStatus.InvalidArgument, $"params->softmax: a '{d.Task}' model's outputs are not class scores");
        if (count == null) throw new NativeException(NativeStatus.InvalidArgument, "count is NULL");
        int limit = p.MaxSteps == 0 ? d.Input.MaxSteps ?? 0 : p.MaxSteps;
        if (limit > 0 && tokens.Length > limit)
        {
            affixes = affixes.IsEmpty ? affixes : affixes[..(limit * (affixes.Length / tokens.Length))];
            tokens = tokens[..limit];
        }
        int size = d.Head.Size, rows = d.Head.Pooling == Poolings.None ? tokens.Length : 1;
        *count = (nuint)rows * (nuint)size;
        if (outputs == null) throw new NativeException(NativeStatus.InvalidArgument, "outputs is NULL");
        if (capacity < *count) throw new NativeException(NativeStatus.BufferTooSmall, $"outputs buffer holds {capacity} floats; this run gives {*count}");
        ReadOnlySpan<float> result = runner.Run(tokens, affixes);
        var destination = new Span<float>(outputs, result.Length);
        if (p.Softmax == 1)
            for (int r = 0; r < rows; r++) StableSoftmax.Compute(result.Slice(r * size, size), destination.Slice(r * size, size));
        else
            result.CopyTo(destination);
        return NativeStatus.Ok;
    }
}
