using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Cli;

/// <summary>
/// The `--model` option every verb shares. A file is read as .elstm or safetensors by its first bytes; without
/// the option, the default model: embedded in development builds, else share/edgelstm/ of a release archive.
/// </summary>
internal static class ModelSource
{
    public const string EmbeddedName = "moby-dick-char.elstm";

    /// <summary>A loaded model and what `info` says of it; disposing it releases the model's file.</summary>
    public sealed record Loaded(ILanguageModel Model, string Name, long Bytes, string Format, ModelFile? CompactFile) : IDisposable
    {
        /// <summary>The model's task, from its description: char-lm, sequence, classify, ...</summary>
        public string Task => Model.Description.Task;

        /// <summary>Throws a one-line error unless the model does <paramref name="task"/> (over token input, for the text tasks).</summary>
        public ILanguageModel Require(ModelTask task, string verb)
        {
            bool text = task is ModelTask.LanguageModel or ModelTask.Classifier or ModelTask.Tagger;
            if (Model.Description.Kind == task && (Model.HasEmbedding || !text)) return Model;
            string wanted = task switch
            {
                ModelTask.LanguageModel => $"a text language model ('{Tasks.CharLm}')",
                ModelTask.Classifier => $"a '{HeadKinds.Classify}' model",
                ModelTask.Tagger => $"a '{HeadKinds.Tag}' model",
                ModelTask.Transducer => $"a '{Tasks.Seq2Seq}' model (see edgelstm-train seq2seq)",
                ModelTask.Forecaster => $"a '{Tasks.Forecast}' model (see edgelstm-train forecast)",
                _ => $"a '{HeadKinds.Regress}' model",
            };
            string what = Model.HasEmbedding || !text ? "" : " (float input vectors, no vocabulary)";
            throw new ArgumentException($"{Name} is a '{Task}' model{what}; '{verb}' needs {wanted}");
        }

        public void Dispose() => Model.Dispose();
    }

    public static Option<int> CreateThreadsOption() =>
        ThreadsOption("Cores per step for int8 models: 1, 2 to split each layer's rows across two cores, or auto (the default): two where the model is large enough to gain");

    /// <summary>
    /// --threads auto|1|2 as <see cref="EncoderThreads"/> takes it (auto = 0, also when the option is absent: the
    /// runtime then uses the second core only above a measured layer size, so `2` keeps meaning two).
    /// </summary>
    public static Option<int> ThreadsOption(string description) => new("--threads")
    {
        Description = description,
        HelpName = "auto|1|2",
        CustomParser = result =>
        {
            string value = result.Tokens.Count == 0 ? "auto" : result.Tokens[0].Value;
            switch (value)
            {
                case "auto": return EncoderThreads.Auto;
                case "1": return 1;
                case "2": return 2;
                default:
                    result.AddError($"--threads must be auto, 1 or 2, got '{value}'");
                    return EncoderThreads.Auto;
            }
        },
    };

    /// <summary>A session on the best kernels, on 1 or 2 cores (int8 models; float models always use one).</summary>
    public static ILanguageModelSession CreateSession(ILanguageModel model, int threads)
    {
        if (threads is < EncoderThreads.Auto or > 2) throw new ArgumentException($"--threads must be auto, 1 or 2, got {threads}");
        // On stderr, so generated text and eval results on stdout stay clean.
        if (EdgeLstm.Runtime.Kernels.InstructionSetCheck.Limitation() is { } limitation) Console.Error.WriteLine($"warning: {limitation}");
        return model is EdgeLstm.Runtime.Int8.QuantizedLstmModel q
            ? q.CreateSession(EdgeLstm.Runtime.Kernels.LstmKernels.For(q), threads)
            : model.CreateSession();
    }

    public static Option<int> CreateRunnerThreadsOption() =>
        ThreadsOption("Cores per text for int8 models: 1, 2 to run each bidirectional layer's two directions at once (same results), or auto (the default): two where the model is large enough to gain");

    /// <summary>A whole-sequence runner on the best kernels, on 1 or 2 cores (int8 models; float models always use one).</summary>
    public static ISequenceRunner CreateRunner(ILanguageModel model, int threads)
    {
        if (threads is < EncoderThreads.Auto or > 2) throw new ArgumentException($"--threads must be auto, 1 or 2, got {threads}");
        return model is EdgeLstm.Runtime.Int8.QuantizedLstmModel q
            ? q.CreateRunner(EdgeLstm.Runtime.Kernels.LstmKernels.For(q), threads)
            : model.CreateRunner();
    }

    /// <summary>A sequence-to-sequence decoder on the best kernels, its encoder on 1 or 2 cores (int8 models; float models use one).</summary>
    public static ITransducer CreateTransducer(ILanguageModel model, int threads)
    {
        if (threads is < EncoderThreads.Auto or > 2) throw new ArgumentException($"--threads must be auto, 1 or 2, got {threads}");
        return model is EdgeLstm.Runtime.Int8.QuantizedLstmModel q
            ? q.CreateTransducer(EdgeLstm.Runtime.Kernels.LstmKernels.For(q), BeamSearchTransducer.DefaultMaxBeam, threads)
            : model.CreateTransducer();
    }

    public static Option<FileInfo> CreateOption() => new("--model", "-m")
    {
        Description = $"Model file (.elstm or float .safetensors). Default: {EmbeddedName} (int8, trained on Moby Dick), embedded or in ../share/edgelstm",
    };

    public static Loaded Load(FileInfo? file)
    {
        if (file is not null)
        {
            if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
            if (file.Length > ModelFileReader.MaxFileBytes) throw new ModelFormatException($"{file.Name}: file is {file.Length} bytes; too large");
            // .elstm files are memory-mapped (weights viewed in place); safetensors are read.
            var opened = ModelLoader.Open(file.FullName);
            return new Loaded(opened.Model, file.FullName, file.Length, opened.Format, opened.CompactFile);
        }
        using var stream = typeof(ModelSource).Assembly.GetManifestResourceStream(EmbeddedName);
        if (stream is null)
        {
            string shipped = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "share", "edgelstm", EmbeddedName));
            if (!File.Exists(shipped))
                throw new FileNotFoundException($"{shipped}: the default model is not there (this build has none embedded); pass --model FILE", shipped);
            return Load(new FileInfo(shipped));
        }
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var embedded = ModelLoader.Open(bytes, EmbeddedName);
        return new Loaded(embedded.Model, $"embedded {EmbeddedName}", bytes.Length, embedded.Format, embedded.CompactFile);
    }
}
