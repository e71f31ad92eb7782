using System.Globalization;
using System.Text;
using EdgeLstm.Converter;
using EdgeLstm.Runtime;

namespace EdgeLstm.Bench;

/// <summary>
/// `bench pareto` (a first version): for every committed task model whose held-out data is on this machine, the
/// variants `convert --max-loss` weighs (f32, int8, pruned int8), each scored by the task's metric on the held-out
/// split and timed per step on EdgeLstm, one thread; the variants no other is both faster and better than are the
/// Pareto front. Writes one Markdown file. Not yet: peers (ONNX Runtime, libtorch), two threads, p50/p99, load time,
/// memory, plots.
/// </summary>
public static class ParetoSuite
{
    private sealed record TaskCase(string Task, string Model, string Data, string? Fold, int EvalChars);

    private static readonly TaskCase[] Cases =
    [
        new("character LM (Moby Dick)", "runtime/models/moby-dick-char.safetensors", ".cache/moby-dick/test.txt", null, 20_000),
        new("sentiment classifier", "runtime/models/sentiment.safetensors", ".cache/sentiment/sentiment.tsv", "0", 0),
        new("births forecaster", "runtime/models/births-forecast.safetensors", ".cache/forecast/births.csv", "test", 0),
        new("grapheme to phoneme", "runtime/models/g2p.safetensors", ".cache/g2p/cmudict.tsv", "test", 0),
        new("Tang poetry LM", "runtime/models/tang-poetry.safetensors", ".cache/poetry/tang/test.txt", null, 20_000),
        new("Song ci punctuation", "runtime/models/songci-punctuation.safetensors", ".cache/poetry/songci/test.txt", null, 0),
        new("State of the Union words", "runtime/models/sotu-word.safetensors", ".cache/sotu-lm/test.txt", null, 20_000),
    ];

    public static void Run(string output)
    {
        var inv = CultureInfo.InvariantCulture;
        var doc = new StringBuilder();
        doc.AppendLine("# Accuracy against latency, every committed model (first version of the suite)");
        doc.AppendLine();
        doc.AppendLine(FormattableString.Invariant($"`./build.sh bench pareto`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, kernels ") +
            $"{EdgeLstm.Runtime.Kernels.LstmKernels.Default.Name}. Metric on the held-out split; µs per input step on EdgeLstm, one thread, best of 7 " +
            "(`VariantSearch.Latency`); ★ = on the Pareto front (no other variant is both faster and at least as good). Peers are not in this version.");
        foreach (TaskCase c in Cases)
        {
            if (!File.Exists(c.Model) || !File.Exists(c.Data))
            {
                Console.Error.WriteLine($"{c.Task}: skipped ({(File.Exists(c.Model) ? c.Data : c.Model)} is missing)");
                continue;
            }
            Console.Error.WriteLine($"{c.Task}: building and scoring the variants");
            var (metric, reference, results) = VariantSearch.Measure(new ConvertOptions
            {
                Input = c.Model, Output = "", ValidText = c.Data, ValidFold = c.Fold, EvalChars = c.EvalChars,
            }, maxLoss: double.PositiveInfinity);
            var built = results.Select(r => r.Result).Where(r => !double.IsNaN(r.Metric)).ToList();
            doc.AppendLine();
            doc.AppendLine($"## {c.Task}");
            // TaskMetric names its data as convert's --valid; here it is the held-out split.
            doc.AppendLine(string.Create(inv, $"`{c.Model}`; {metric.Name} on {metric.On.Replace("validation ", "")} of `{c.Data}`; float safetensors {reference:F4}."));
            doc.AppendLine();
            doc.AppendLine($"| variant | file bytes | µs/step | {metric.Name} | loss vs float | front |");
            doc.AppendLine("|---|---|---|---|---|---|");
            foreach (var r in results.Select(r => r.Result))
            {
                if (double.IsNaN(r.Metric))
                {
                    doc.AppendLine($"| {r.Name} | — | — | — | — | {r.Why} |");
                    continue;
                }
                bool front = !built.Any(o => o != r && o.MicrosecondsPerStep <= r.MicrosecondsPerStep && metric.Loss(r.Metric, o.Metric) <= 0
                    && (o.MicrosecondsPerStep < r.MicrosecondsPerStep || metric.Loss(r.Metric, o.Metric) < 0));
                doc.AppendLine(string.Create(inv, $"| {r.Name} | {r.Bytes:N0} | {r.MicrosecondsPerStep:F1} | {r.Metric:F4} | {r.Loss:+0.0000;-0.0000} | {(front ? "★" : "")} |"));
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        AtomicFile.WriteAllText(output, doc.ToString());
        Console.WriteLine(doc);
        Console.Error.WriteLine($"wrote {output}");
    }
}
