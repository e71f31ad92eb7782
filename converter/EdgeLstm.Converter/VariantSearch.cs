using System.Diagnostics;
using System.Text;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Converter;

/// <summary>What `convert --max-loss` minimises among the variants within the loss.</summary>
public enum Objective { Size, Latency }

/// <summary>One variant tried: how it is made, and what it measured.</summary>
public sealed record VariantResult(string Name, long Bytes, double MicrosecondsPerStep, double Metric, double Loss, bool Kept, string Why);

/// <summary>Every variant tried, the one written (null: none within the loss), and the metric they were scored by.</summary>
public sealed record VariantSearchReport(string Output, string MetricName, string On, double FloatMetric, double MaxLoss, Objective Objective,
    IReadOnlyList<VariantResult> Variants, VariantResult? Chosen)
{
    public override string ToString()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(string.Create(inv, $"{MetricName} on {On}: float {FloatMetric:F4}; keeping variants within {MaxLoss:G4} of it, then the {(Objective == Objective.Size ? "smallest" : "fastest")}"));
        s.AppendLine("variant                      bytes  µs/step    metric      loss  kept");
        foreach (var v in Variants)
            s.AppendLine(double.IsNaN(v.Metric)
                ? $"  {v.Name,-22}{"-",11}{"-",9}{"-",10}{"-",10}  {v.Why}"
                : string.Create(inv, $"{(v == Chosen ? "* " : "  ")}{v.Name,-22}{v.Bytes,11:N0}{v.MicrosecondsPerStep,9:F1}{v.Metric,10:F4}{v.Loss,+10:+0.0000;-0.0000}  {v.Why}"));
        s.AppendLine(Chosen is null ? "no variant is within the loss; nothing written" : $"wrote {Output}: {Chosen.Name}");
        return s.ToString();
    }
}

/// <summary>
/// `edgelstm convert --max-loss X`: builds each variant of a float model — f32, int8 (dynamic activation scales) with
/// 8- and 7-bit weights, int4 (groups of 32 where the columns allow), int8 with static scales (when --calib is given and the model steps), and int8 pruned by magnitude 50%, by 1×16
/// blocks 50% per row and (models that step) by 25% of the hidden units — scores each on the validation data with the task's metric,
/// keeps those whose loss against the float model is at most X, and writes the smallest (or fastest) of them.
/// Latency is a whole-sequence run (or a step) on a fixed input, best of several, on this machine.
/// </summary>
public static class VariantSearch
{
    public static VariantSearchReport Run(ConvertOptions options, double maxLoss, Objective objective, Action<string>? progress = null)
    {
        if (options.ValidText is null) throw new ArgumentException("--max-loss needs --valid: the variants are compared on the validation data");
        if (!(maxLoss >= 0) || double.IsInfinity(maxLoss)) throw new ArgumentException($"--max-loss must be a number ≥ 0, got {maxLoss}");
        if (options.Output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("--max-loss writes an .elstm file; give -o a .elstm name");
        if (!options.Force && File.Exists(options.Output)) throw new IOException($"{options.Output} exists; pass --force to overwrite it");
        var (metric, reference, results) = Measure(options, maxLoss, progress);
        var within = results.Where(r => r.Result.Kept).ToList();
        (VariantResult Result, byte[] Bytes)? chosen = within.Count == 0 ? null
            : objective == Objective.Size ? within.MinBy(r => r.Result.Bytes) : within.MinBy(r => r.Result.MicrosecondsPerStep);
        if (chosen is { } c) AtomicFile.WriteAllBytes(options.Output, c.Bytes, overwrite: options.Force);
        return new VariantSearchReport(options.Output, metric.Name, metric.On, reference, maxLoss, objective,
            results.Select(r => r.Result).ToList(), chosen?.Result);
    }

    /// <summary>
    /// Builds every variant of options.Input and scores it on options.ValidText with the task's metric; a variant is
    /// kept when its loss against the float model is at most <paramref name="maxLoss"/>. Writes nothing.
    /// </summary>
    public static (TaskMetric Metric, double Reference, List<(VariantResult Result, byte[] Bytes)> Results) Measure(ConvertOptions options, double maxLoss,
        Action<string>? progress = null)
    {
        if (options.ValidText is null) throw new ArgumentException("the variants are compared on validation data: pass --valid");
        var input = FloatModelInput.Read(options);
        FloatLstmModel original = input.Model;
        TaskMetric metric = TaskMetric.For(original, options.ValidText, options.ValidFold, options.EvalChars);
        progress?.Invoke("scoring the float model");
        double reference = metric.Score(original);

        var results = new List<(VariantResult Result, byte[] Bytes)>();
        foreach (var (name, bytes, why) in Build(original, input.Metadata, options, progress))
        {
            if (bytes is null)
            {
                results.Add((new VariantResult(name, 0, double.NaN, double.NaN, double.NaN, false, why!), []));
                continue;
            }
            progress?.Invoke($"scoring {name}");
            using ILanguageModel model = CompactModelLoader.Load(ModelFileReader.Parse(bytes, name));
            double score = metric.Score(model);
            double loss = metric.Loss(reference, score);
            double micros = Latency(model);
            bool kept = loss <= maxLoss;
            results.Add((new VariantResult(name, bytes.Length, micros, score, loss, kept,
                kept ? "within the loss" : string.Create(CultureInfo.InvariantCulture, $"dropped: loss {loss:F4} > {maxLoss:G4}")), bytes));
        }
        return (metric, reference, results);
    }

    /// <summary>
    /// The .elstm bytes of every variant of a float model, in order: f32, int8, int8 with 7-bit weights, int4 (models with a
    /// matrix whose columns 32 divides), int8 with static scales (with
    /// options.CalibText, models that step), int8 pruned by magnitude 50%, 1×16 blocks 50% per row and (models that
    /// step) 25% of the hidden units. A variant the model's shapes do not allow has null bytes and says why.
    /// </summary>
    public static IEnumerable<(string Name, byte[]? Bytes, string? Why)> Build(FloatLstmModel original, SafeTensorsFile inputFile, ConvertOptions options,
        Action<string>? progress = null) => Build(original, inputFile.Metadata, options, progress);

    /// <param name="inputMetadata">The input's metadata (what a .safetensors variant would copy).</param>
    public static IEnumerable<(string Name, byte[]? Bytes, string? Why)> Build(FloatLstmModel original, IReadOnlyDictionary<string, string> inputMetadata,
        ConvertOptions options, Action<string>? progress = null)
    {
        var candidates = new List<(string Name, ConvertOptions Options)>
        {
            ("f32", options with { Weights = WeightType.F32, Prune = PruneSpec.None, CalibText = null }),
            ("int8", options with { Weights = WeightType.Int8, WeightBits = 8, Prune = PruneSpec.None, CalibText = null }),
            ("int8 7-bit weights", options with { Weights = WeightType.Int8, WeightBits = 7, Prune = PruneSpec.None, CalibText = null }),
            ("int4", options with { Weights = WeightType.Int4, WeightBits = null, Prune = PruneSpec.None, CalibText = null }),
        };
        if (options.CalibText is not null && original.Description.IsSteppable)
            candidates.Add(("int8 static scales", options with { Weights = WeightType.Int8, Prune = PruneSpec.None }));
        // Narrowing layers (units) is for forward-only models with a per-step head, as HiddenUnitPruner says.
        foreach (string prune in original.Description.IsSteppable ? ["magnitude:0.5", "block:0.5:row", "units:0.25"] : new[] { "magnitude:0.5", "block:0.5:row" })
            candidates.Add(($"int8 {prune}", options with { Weights = WeightType.Int8, Prune = PruneSpec.Parse(prune), CalibText = null }));
        foreach (var (name, candidate) in candidates)
        {
            progress?.Invoke($"building {name}");
            byte[]? bytes = null;
            string? why = null;
            try
            {
                (bytes, _) = ModelConverter.Build(original, inputMetadata, candidate, safetensorsOut: false);
            }
            catch (ArgumentException e) // a pruning this model's shapes do not allow (e.g. blocks of 16 in 26 columns)
            {
                why = $"not built: {e.Message}";
            }
            yield return (name, bytes, why);
        }
    }

    /// <summary>µs per input step, best of 7: 64 steps of a session (steppable models), a 64-step whole-sequence run, or greedy decoding of a 10-step input (sequence to sequence).</summary>
    public static double Latency(ILanguageModel model)
    {
        const int steps = 64;
        ModelDescription d = model.Description;
        int[] tokens = new int[steps];
        for (int i = 0; i < steps; i++) tokens[i] = 1 + i * 7 % Math.Max(1, model.HasEmbedding ? model.Tokenizer.VocabularySize - 1 : 1);
        // A model with input.affixes reads its words' affix ids beside the tokens (any ids below the bucket count time the same).
        int[] affixes = new int[steps * (d.Input.Affixes?.PerWord ?? 0)];
        for (int i = 0; i < affixes.Length; i++) affixes[i] = i * 31 % d.Input.Affixes!.Buckets;
        float[] vectors = new float[steps * d.Input.Size];
        bool transduces = d.Kind == ModelTask.Transducer;
        using ILanguageModelSession? session = d.IsSteppable ? model.CreateSession() : null;
        using ISequenceRunner? runner = d.IsSteppable || transduces ? null : model.CreateRunner();
        using ITransducer? transducer = transduces ? model.CreateTransducer() : null;
        var input = new float[d.Input.Size];
        var output = new int[transduces ? d.Head.Decoder!.MaxSteps : 0];
        // A sequence-to-sequence model: greedy decoding of a 10-step input, timed per input step like the others.
        int timedSteps = transduces ? 10 : steps;
        Action run = transduces ? () => transducer!.Transduce(tokens.AsSpan(0, 10), 1, output)
            : session is not null
            ? model.HasEmbedding
                ? () => { session.Reset(); foreach (int t in tokens) session.Step(t); }
                : () => { session.Reset(); for (int i = 0; i < steps; i++) session.StepInput(input); }
            : model.HasEmbedding ? () => runner!.Run(tokens, affixes) : () => runner!.RunVectors(vectors);
        run();
        double best = double.MaxValue;
        for (int round = 0; round < 7; round++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds / timedSteps);
        }
        return best;
    }
}
