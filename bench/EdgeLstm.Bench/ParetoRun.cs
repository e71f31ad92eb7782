using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeLstm.Bench;

/// <summary>What one engine × variant measured on a task's held-out data (one child process).</summary>
internal sealed record ParetoMeasurement(long ModelBytes, double Metric, int Items, double MeanMicros, double P50Micros, double P99Micros,
    double FirstCallMillis, double LoadMillis, double PeakRssMegabytes);

[JsonSerializable(typeof(ParetoMeasurement))]
internal sealed partial class ParetoJsonContext : JsonSerializerContext;

/// <summary>
/// `edgelstm-bench pareto-run ENGINE THREADS MODEL SAFETENSORS DATA FOLD EVAL_CHARS`: one engine × variant in a
/// process of its own, so its load time and peak resident memory are its own. Loads the model (timed), scores it
/// on the held-out data with the task's metric through <see cref="TimedModel"/> (each evaluator call timed: a
/// token, a text, a line, a forecast step, a word), and prints one JSON line. The first call is reported apart
/// (first inference: in this JIT-compiled process it includes compiling the code it runs, for every engine); the
/// mean, p50 and p99 are over the other calls. Peak memory is the process's VmHWM (the .NET runtime and the data
/// included, as for every engine).
/// </summary>
internal static class ParetoRun
{
    public const string Marker = "PARETO-RESULT ";

    public static int Run(string[] args)
    {
        if (args.Length != 7) throw new ArgumentException("usage: pareto-run ENGINE THREADS MODEL SAFETENSORS DATA FOLD|- EVAL_CHARS");
        var (engine, threads, modelPath, safetensors, data, fold, evalChars) = (args[0], int.Parse(args[1]), args[2], args[3], args[4], args[5] == "-" ? null : args[5], int.Parse(args[6]));
        long start = Stopwatch.GetTimestamp();
        ILanguageModel model = engine switch
        {
            "edgelstm" => CompactModelLoader.Load(ModelFileReader.Read(modelPath)),
            "ort-float" => new OrtPeerModel(FloatLstmModel.Load(safetensors), quantized: false),
            "ort-int8" => new OrtPeerModel(FloatLstmModel.Load(safetensors), quantized: true, threads),
            // libtorch is loaded only in its own runs: the others' memory does not include it.
            "libtorch" => LoadTorch(safetensors),
            _ => throw new ArgumentException($"engine '{engine}': expected edgelstm, ort-float, ort-int8 or libtorch"),
        };
        double loadMillis = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        // Two threads: int8 EdgeLstm models through their two-thread session, runner or transducer; ONNX Runtime's int8
        // graphs with two intra-op threads (set when it was made above).
        if (threads == 2 && model is not (QuantizedLstmModel or OrtPeerModel)) throw new ArgumentException("two threads: int8 EdgeLstm models and ort-int8 only");
        bool ours = threads == 2 && model is QuantizedLstmModel;
        Func<ILanguageModel, ILanguageModelSession>? twoThreads = ours
            ? m => ((QuantizedLstmModel)m).CreateSession(LstmKernels.For((QuantizedLstmModel)m), threads: 2)
            : null;
        Func<ILanguageModel, ISequenceRunner>? twoThreadRunner = ours
            ? m => ((QuantizedLstmModel)m).CreateRunner(LstmKernels.For((QuantizedLstmModel)m), threads: 2)
            : null;
        Func<ILanguageModel, ITransducer>? twoThreadTransducer = ours
            ? m => ((QuantizedLstmModel)m).CreateTransducer(LstmKernels.For((QuantizedLstmModel)m), BeamSearchTransducer.DefaultMaxBeam, threads: 2)
            : null;
        using var timed = new TimedModel(model, twoThreads, twoThreadRunner, twoThreadTransducer);
        TaskMetric metric = TaskMetric.For(model, data, fold, evalChars);
        double score = metric.Score(timed);
        List<double> calls = timed.Calls;
        double[] rest = calls.Skip(1).Order().ToArray();
        double Percentile(double p) => rest[Math.Min(rest.Length - 1, (int)Math.Ceiling(p * rest.Length) - 1)];
        long bytes = model switch
        {
            OrtPeerModel ort => ort.GraphBytes,
            TorchPeerModel => new FileInfo(safetensors).Length,
            _ => new FileInfo(modelPath).Length,
        };
        var result = new ParetoMeasurement(bytes, score, calls.Count, rest.Average(), Percentile(0.50), Percentile(0.99), calls[0] / 1000, loadMillis,
            PeakRssMegabytes());
        Console.WriteLine(Marker + JsonSerializer.Serialize(result, ParetoJsonContext.Default.ParetoMeasurement));
        return 0;
    }

    private static TorchPeerModel LoadTorch(string safetensors)
    {
        TorchSharp.torch.set_num_threads(1);
        return new TorchPeerModel(FloatLstmModel.Load(safetensors), safetensors);
    }

    /// <summary>VmHWM from /proc/self/status: the most resident memory this process has had.</summary>
    private static double PeakRssMegabytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) / 1024.0;
        return double.NaN;
    }
}
