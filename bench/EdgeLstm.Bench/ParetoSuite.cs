using System.Text;
using System.Text.Json;
using EdgeLstm.Runtime.SafeTensors;
using Spectre.Console;

namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench pareto` (`./build.sh bench pareto`): for every committed task model whose held-out data is on
/// this machine, the variants `convert --max-loss` weighs (f32, int8 8- and 7-bit, int4, int8 static scales, pruned int8) on EdgeLstm
/// (one thread; the int8 and int4 models also on two where they step or run two directions), and the float model on ONNX Runtime (LSTM op, and
/// DynamicQuantizeLSTM + DynamicQuantizeMatMul) and libtorch, all scored by the task's metric on the held-out split
/// with the latency of every item timed (<see cref="ParetoRun"/>, one process per row). Writes docs/pareto.md (a
/// table per task) and a Pareto plot per task (<see cref="ParetoPlot"/>, PNG and SVG).
/// </summary>
public static class ParetoSuite
{
    /// <param name="FineTuned">Committed fine-tuned .elstm files of the same model (pruned, or int4-aware), each run as one more variant.</param>
    /// <param name="Note">Said under the task's heading: what the rows share that is not the engine's own.</param>
    private sealed record TaskCase(string Task, string Slug, string Model, string Data, string? Fold, int EvalChars, string? Calib, string Item,
        (string Variant, string File)[]? FineTuned = null, string? Note = null);

    internal sealed record Row(string Engine, string Variant, int Threads, ParetoMeasurement? Measured, string? Why)
    {
        public string Label => Engine == EdgeLstmEngine ? $"{Variant}{(Threads > 1 ? $", {Threads} threads" : "")}" : Threads > 1 ? $"{Engine}, {Threads} threads" : Engine;
    }

    internal const string EdgeLstmEngine = "EdgeLstm";

    private static readonly TaskCase[] Cases =
    [
        new("character LM (Moby Dick)", "moby-dick-char", "runtime/models/moby-dick-char.safetensors", ".cache/moby-dick/test.txt", null, 20_000, ".cache/moby-dick/train.txt", "character",
            [("int8 block:0.5:row fine-tuned", "runtime/models/moby-dick-char-block50row.elstm"), ("int4 fine-tuned", "runtime/models/moby-dick-char-int4.elstm")]),
        new("sentiment classifier", "sentiment", "runtime/models/sentiment.safetensors", ".cache/sentiment/sentiment.tsv", "0", 0, null, "sentence"),
        new("births forecaster", "births-forecast", "runtime/models/births-forecast.safetensors", ".cache/forecast/births.csv", "test", 0, null, "day stepped"),
        new("grapheme to phoneme", "g2p", "runtime/models/g2p.safetensors", ".cache/g2p/cmudict.tsv", "test", 0, null, "word"),
        new("Tang poetry LM", "tang-poetry", "runtime/models/tang-poetry.safetensors", ".cache/poetry/tang/test.txt", null, 20_000, ".cache/poetry/tang/train.txt", "character",
            [("int8 block:0.5:row fine-tuned", "runtime/models/tang-poetry-block50row.elstm")]),
        new("Song ci punctuation", "songci-punctuation", "runtime/models/songci-punctuation.safetensors", ".cache/poetry/songci/test.txt", null, 0, null, "line"),
        new("State of the Union words", "sotu-word", "runtime/models/sotu-word.safetensors", ".cache/sotu-lm/test.txt", null, 20_000, ".cache/sotu-lm/train.txt", "word"),
        new("Brown part-of-speech tags", "brown-pos", "runtime/models/brown-pos.safetensors", ".cache/brown/test.conll", null, 0, null, "sentence",
            Note: "A word tagger with affix features: every engine computes each word's tag scores (ONNX Runtime and libtorch look up and sum the " +
                "word affix rows themselves; the affix ids are hashed outside the timed call, like the token ids); the tag is the best score, or with a " +
                "CRF model our Viterbi for every row, outside the latency (the committed model has a softmax head)."),
    ];

    private static readonly (string Engine, string Arg)[] Peers =
        [("ONNX Runtime LSTM", "ort-float"), ("ONNX Runtime DynamicQuantizeLSTM", "ort-int8"), ("libtorch", "libtorch")];

    /// <param name="only">Slugs of the tasks to run (empty: all).</param>
    public static void Run(string output, IReadOnlyCollection<string> only)
    {
        var inv = CultureInfo.InvariantCulture;
        var started = DateTime.UtcNow;
        string plots = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "pareto");
        Directory.CreateDirectory(plots);
        var results = new List<(TaskCase Case, TaskMetric Metric, double Reference, List<Row> Rows)>();
        bool interactive = AnsiConsole.Profile.Capabilities.Interactive;

        void Measure(Action<string, double, double> report) // (what, done, total) per task
        {
            foreach (TaskCase c in Cases.Where(c => only.Count == 0 || only.Contains(c.Slug)))
            {
                if (!File.Exists(c.Model) || !File.Exists(c.Data))
                {
                    Console.Error.WriteLine($"{c.Task}: skipped ({(File.Exists(c.Model) ? c.Data : c.Model)} is missing)");
                    continue;
                }
                report($"{c.Task}: building the variants", 0, 1);
                var inputFile = SafeTensorsReader.Read(c.Model);
                using FloatLstmModel original = FloatLstmModel.FromSafeTensors(inputFile);
                TaskMetric metric = TaskMetric.For(original, c.Data, c.Fold, c.EvalChars);
                var options = new ConvertOptions
                {
                    Input = c.Model, Output = "", ValidText = c.Data, ValidFold = c.Fold, EvalChars = c.EvalChars,
                    CalibText = c.Calib is not null && File.Exists(c.Calib) ? c.Calib : null,
                };
                var runs = new List<(Row Row, string[] Args)>();
                string directory = Path.Combine(".cache", "pareto", c.Slug);
                Directory.CreateDirectory(directory);
                foreach (var (name, bytes, why) in VariantSearch.Build(original, inputFile, options))
                {
                    if (bytes is null)
                    {
                        runs.Add((new Row(EdgeLstmEngine, name, 1, null, why), []));
                        continue;
                    }
                    string file = Path.Combine(directory, name.Replace(' ', '_').Replace(':', '-') + ".elstm");
                    AtomicFile.WriteAllBytes(file, bytes, overwrite: true);
                    runs.Add((new Row(EdgeLstmEngine, name, 1, null, null), Args("edgelstm", 1, file, c)));
                    // Two threads: an int8 session splits each layer's units and its output layer's rows; a runner (and a seq2seq
                    // encoder), a BiLSTM's two directions. For every weight width: `convert` keeps any, by the task's metric.
                    if (name is "int8" or "int8 7-bit weights" or "int4" && (original.Description.IsSteppable || original.Description.IsBidirectional))
                        runs.Add((new Row(EdgeLstmEngine, name, 2, null, null), Args("edgelstm", 2, file, c)));
                }
                foreach (var (variant, file) in c.FineTuned ?? [])
                {
                    if (!File.Exists(file)) continue;
                    runs.Add((new Row(EdgeLstmEngine, variant, 1, null, null), Args("edgelstm", 1, file, c)));
                    if (variant.StartsWith("int4", StringComparison.Ordinal)) runs.Add((new Row(EdgeLstmEngine, variant, 2, null, null), Args("edgelstm", 2, file, c)));
                }
                foreach (var (engine, arg) in Peers)
                    runs.Add((new Row(engine, "float weights", 1, null, null), Args(arg, 1, c.Model, c)));
                // ONNX Runtime's int8 on two intra-op threads, beside EdgeLstm's two-thread row.
                runs.Add((new Row(Peers[1].Engine, "float weights", 2, null, null), Args(Peers[1].Arg, 2, c.Model, c)));

                var rows = new List<Row>();
                for (int i = 0; i < runs.Count; i++)
                {
                    var (row, args) = runs[i];
                    report($"{c.Task}: {row.Label}", i, runs.Count);
                    rows.Add(args.Length == 0 ? row : RunChild(row, args));
                }
                report($"{c.Task}: done", runs.Count, runs.Count);
                double reference = rows.First(r => r.Engine == EdgeLstmEngine && r.Variant == "f32").Measured?.Metric ?? double.NaN;
                results.Add((c, metric, reference, rows));
            }
        }

        if (interactive)
        {
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("pareto", maxValue: 1);
                    Measure((what, done, total) =>
                    {
                        bar.Description = what.Replace("[", "[[").Replace("]", "]]");
                        bar.MaxValue = total;
                        bar.Value = done;
                    });
                });
        }
        else
        {
            Measure((what, done, total) => Console.Error.WriteLine($"[{done}/{total}] {what}"));
        }

        var doc = new StringBuilder();
        doc.AppendLine("# Accuracy against latency, every committed model");
        doc.AppendLine();
        doc.AppendLine(string.Create(inv, $"`./build.sh bench pareto`, {started:yyyy-MM-dd HH:mm} UTC, {(DateTime.UtcNow - started).TotalMinutes:F0} minutes; {CpuName()}, ") +
            $"{Environment.ProcessorCount} cores, int8 kernels {EdgeLstm.Runtime.Kernels.LstmKernels.Default.Name} (7-bit files: {EdgeLstm.Runtime.Kernels.LstmKernels.CreateBest(weightBits: 7).Name}){(Environment.GetEnvironmentVariable(EdgeLstm.Runtime.Kernels.LstmKernels.EnvironmentVariable) is { Length: > 0 } forced ? $", forced by {EdgeLstm.Runtime.Kernels.LstmKernels.EnvironmentVariable}={forced}" : "")}. Written by `bench/EdgeLstm.Bench/ParetoSuite.cs`.");
        doc.AppendLine();
        doc.AppendLine("Each row is one process: the model loaded, then scored by the task's metric on the held-out split, every item timed " +
            "(a character or word stepped, a sentence or line run whole, a forecast day stepped, a word decoded). Batch 1; one thread unless said. " +
            "EdgeLstm runs each variant `convert --max-loss` weighs (pruning without fine-tuning), and the committed fine-tuned character models (block-pruned int8; int4-aware); ONNX Runtime 1.31.1 and libtorch (TorchSharp 0.107.0) run the float model's " +
            "weights — ONNX Runtime as the float LSTM op, and as DynamicQuantizeLSTM with DynamicQuantizeMatMul for the output layer (its own int8, " +
            "what `quantize_dynamic` makes; the latter also on two intra-op threads). Pruned variants are not run on the peers: their dense kernels take the same time for zeros. " +
            "**first call** is the first item after loading (this process is JIT-compiled, so it includes compiling the code it runs, for every engine); " +
            "mean, p50 and p99 are over the other items. **peak RSS** is the process's VmHWM (the .NET runtime and the data included; libtorch only in its rows). " +
            "★ = on the Pareto front of p50 latency and the metric (no other row is both faster and at least as good). " +
            "The figures plot p50 latency (log scale) against the metric; `edgelstm-bench pareto-plots` draws them again from these tables.");
        foreach (var (c, metric, reference, rows) in results)
        {
            doc.AppendLine();
            doc.AppendLine($"## {c.Task}");
            doc.AppendLine(string.Create(inv, $"`{c.Model}`; {metric.Name} ({(metric.LowerIsBetter ? "lower" : "higher")} is better) on {metric.On.Replace("validation ", "")} of `{c.Data}`; latency per {c.Item}.{(c.Note is null ? "" : " " + c.Note)}"));
            doc.AppendLine();
            var measured = rows.Where(r => r.Measured is not null).ToList();
            // Metrics equal to 4 decimals count as equal: float engines differ in the last digits of their sums.
            double Worse(Row r, Row o) => Math.Round(metric.Loss(r.Measured!.Metric, o.Measured!.Metric), 4); // > 0: o is worse than r
            bool OnFront(Row r) => !measured.Any(o => o != r && o.Measured!.P50Micros <= r.Measured!.P50Micros && Worse(r, o) <= 0
                && (o.Measured.P50Micros < r.Measured.P50Micros || Worse(r, o) < 0));
            string png = Path.Combine(plots, c.Slug + ".png");
            int collisions = ParetoPlot.Save(png, $"{c.Task}: {metric.Name} against latency", $"µs per {c.Item}, p50 (log scale)", metric.Name,
                measured.Select(r => (r.Engine, r.Label, r.Measured!.P50Micros, r.Measured.Metric, OnFront(r))).ToList());
            if (collisions > 0) Console.Error.WriteLine($"{png}: {collisions} pairs of labels overlap");
            doc.AppendLine($"![{c.Task}](pareto/{c.Slug}.png) ([SVG](pareto/{c.Slug}.svg))");
            doc.AppendLine();
            doc.AppendLine($"| engine | variant | model bytes | {metric.Name} | vs float | mean µs | p50 µs | p99 µs | first call ms | load ms | peak RSS MB | front |");
            doc.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (Row r in rows)
            {
                string variant = r.Threads > 1 ? $"{r.Variant}, {r.Threads} threads" : r.Variant;
                if (r.Measured is not { } m)
                {
                    doc.AppendLine($"| {r.Engine} | {variant} | — | — | — | — | — | — | — | — | — | {r.Why} |");
                    continue;
                }
                doc.AppendLine(string.Create(inv,
                    $"| {r.Engine} | {variant} | {m.ModelBytes:N0} | {m.Metric:F4} | {Signed(metric.Loss(reference, m.Metric))} | {m.MeanMicros:F1} | {m.P50Micros:F1} | {m.P99Micros:F1} | {m.FirstCallMillis:F1} | {m.LoadMillis:F0} | {m.PeakRssMegabytes:F0} | {(OnFront(r) ? "★" : "")} |"));
            }
        }
        AtomicFile.WriteAllText(output, doc.ToString());
        Console.WriteLine(doc);
        Console.Error.WriteLine($"wrote {output} and {plots}/*.png, *.svg");
    }

    private static string[] Args(string engine, int threads, string model, TaskCase c) =>
        ["pareto-run", engine, threads.ToString(CultureInfo.InvariantCulture), model, c.Model, c.Data, c.Fold ?? "-", c.EvalChars.ToString(CultureInfo.InvariantCulture)];

    /// <summary>Runs one row in a child process of this program and reads its result line; a failure becomes the row's reason.</summary>
    private static Row RunChild(Row row, string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Started as `dotnet edgelstm-bench.dll` (build.sh) or as the apphost: the child the same way.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(ParetoSuite).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(ParetoRun.Marker, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            string last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit code {child.ExitCode}";
            Console.Error.WriteLine($"{row.Label}: failed: {stderr.Result}");
            return row with { Why = $"failed: {last.Trim()}" };
        }
        return row with { Measured = JsonSerializer.Deserialize(line[ParetoRun.Marker.Length..], ParetoJsonContext.Default.ParetoMeasurement) };
    }

    /// <summary>+0.0000 / -0.0000, never "-+0.0000" for a tiny negative.</summary>
    private static string Signed(double x)
    {
        double r = Math.Round(x, 4);
        return (r == 0 ? 0 : r).ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture);
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "CPU unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "CPU unknown";
        }
    }
}
