using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench forecast`: latency of one 28-day forecast with the committed births forecaster (recursive: the
/// 56 history rows, then 27 steps each fed the day before's forecast), batch 1, one thread, on the same weights:
/// our int8 and float runtimes (calendar rows built inside), ONNX Runtime (the LSTM op or DynamicQuantizeLSTM over
/// the history in one run, then one run per day, the 64-wide output layer in C#) and libtorch (the trainer's
/// network, nn.LSTM over the history then per day). Every engine builds the same calendar rows. Timed in turns.
/// </summary>
internal static class ForecastLatency
{
    public static void Run(string elstm, string safetensors, string seriesCsv)
    {
        torch.set_num_threads(1);
        var series = DailySeriesFile.Read(seriesCsv);
        using var floatModel = FloatLstmModel.FromSafeTensors(EdgeLstm.Runtime.SafeTensors.SafeTensorsReader.Read(safetensors));
        using var int8Model = CompactModelLoader.Load(ModelFileReader.Read(elstm));
        var s = floatModel.Description.Input.Series ?? throw new ArgumentException($"{safetensors} is not a forecaster");
        if (s.Strategy != ForecastStrategies.Recursive || floatModel.Layers.Length != 1) throw new ArgumentException("the peers are written for a one-layer recursive forecaster");
        using var network = TaskNetworks.Load<ForecastNetwork>(safetensors);
        using var ours8 = new Forecaster(int8Model);
        using var oursFloat = new Forecaster(floatModel);
        using var ortFloat = new OrtForecaster(floatModel, quantized: false);
        using var ortInt8 = new OrtForecaster(floatModel, quantized: true);
        int origin = series.IndexOf(new DateOnly(1988, 11, 30));
        DateOnly last = series.DayAt(origin);
        float[] history = series.Values[..(origin + 1)];
        int horizon = s.Horizon, size = CalendarFeatures.Size;
        var output = new float[horizon];

        float[] Torch()
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            float level = Forecaster.Level(s, history);
            var rows = new float[(s.History + horizon - 1) * size];
            Forecaster.BuildInputs(s, last, history, level, rows.AsSpan(0, s.History * size));
            for (int h = 1; h < horizon; h++) CalendarFeatures.Fill(last.AddDays(h + 1), 0, rows.AsSpan((s.History - 1 + h) * size, size));
            float[] scaled = network.Rollout(tensor(rows, [1, s.History + horizon - 1, size]), s.History).data<float>().ToArray();
            var result = new float[horizon];
            for (int h = 0; h < horizon; h++) result[h] = Forecaster.Unscale(s, scaled[s.History - 1 + h], level);
            return result;
        }

        float[] reference = Torch();
        float[] Of(Action<float[]> forecast) { var r = new float[horizon]; forecast(r); return r; }
        Console.WriteLine($"births forecaster ({Path.GetFileName(elstm)}): {s.History} days read, LSTM {floatModel.Layers[0].InputSize}→{floatModel.Layers[0].HiddenSize}, " +
            $"{horizon} days rolled out; batch 1, one thread; best µs per 28-day forecast (timed in turns)");
        Console.WriteLine($"  check from {last:yyyy-MM-dd}, max |engine − libtorch| in births: EdgeLstm float {MaxDiff(Of(f => oursFloat.Forecast(last, history, f)), reference):F4}, " +
            $"ORT float {MaxDiff(Of(f => ortFloat.Forecast(s, last, history, f)), reference):F4}, EdgeLstm int8 {MaxDiff(Of(f => ours8.Forecast(last, history, f)), reference):F1}, " +
            $"ORT int8 {MaxDiff(Of(f => ortInt8.Forecast(s, last, history, f)), reference):F1}");
        double[] best = Timing.BestInterleaved(
        [
            (() => ours8.Forecast(last, history, output), 20),
            (() => oursFloat.Forecast(last, history, output), 20),
            (() => ortFloat.Forecast(s, last, history, output), 20),
            (() => ortInt8.Forecast(s, last, history, output), 20),
            (() => Torch(), 20),
        ], rounds: 21);
        Console.WriteLine("EdgeLstm int8 | EdgeLstm float | ORT float LSTM | ORT DynamicQuantizeLSTM | libtorch | ORT float / EdgeLstm int8 | ORT int8 / EdgeLstm int8 | libtorch / EdgeLstm int8");
        Console.WriteLine($"{best[0]:F1} | {best[1]:F1} | {best[2]:F1} | {best[3]:F1} | {best[4]:F1} | **{best[2] / best[0]:F2}x** | **{best[3] / best[0]:F2}x** | {best[4] / best[0]:F2}x");
    }

    private static double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>ONNX Runtime running the forecaster's LSTM: the history in one run, then a run per day with the state fed back.</summary>
    private sealed class OrtForecaster : IDisposable
    {
        private static readonly string[] InputNames = ["X", "initial_h", "initial_c"];
        private static readonly string[] OutputNames = ["Y_h", "Y_c"];
        private readonly InferenceSession _session;
        private readonly RunOptions _run = new();
        private readonly float[] _history, _step, _h, _c, _hOut, _cOut, _weight;
        private readonly float _bias;
        private readonly OrtValue[] _historyInputs, _stepInputs, _outputs;

        public OrtForecaster(FloatLstmModel model, bool quantized)
        {
            var layer = model.Layers[0];
            var s = model.Description.Input.Series!;
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _session = new InferenceSession(OnnxLstmModelWriter.Model(layer, quantized, anySteps: true), options);
            int hidden = layer.HiddenSize, input = layer.InputSize;
            _history = new float[s.History * input];
            _step = new float[input];
            (_h, _c, _hOut, _cOut) = (new float[hidden], new float[hidden], new float[hidden], new float[hidden]);
            _weight = model.HeadWeight;
            _bias = model.HeadBias[0];
            long[] state = [1, 1, hidden];
            var h = OrtValue.CreateTensorValueFromMemory(_h, state);
            var c = OrtValue.CreateTensorValueFromMemory(_c, state);
            _historyInputs = [OrtValue.CreateTensorValueFromMemory(_history, [s.History, 1, input]), h, c];
            _stepInputs = [OrtValue.CreateTensorValueFromMemory(_step, [1, 1, input]), h, c];
            _outputs = [OrtValue.CreateTensorValueFromMemory(_hOut, state), OrtValue.CreateTensorValueFromMemory(_cOut, state)];
        }

        public void Forecast(SeriesDescription s, DateOnly last, float[] history, float[] forecast)
        {
            float level = Forecaster.Level(s, history);
            Forecaster.BuildInputs(s, last, history, level, _history);
            Array.Clear(_h);
            Array.Clear(_c);
            float scaled = Run(_historyInputs);
            forecast[0] = Forecaster.Unscale(s, scaled, level);
            for (int h = 1; h < forecast.Length; h++)
            {
                CalendarFeatures.Fill(last.AddDays(h + 1), scaled, _step);
                scaled = Run(_stepInputs);
                forecast[h] = Forecaster.Unscale(s, scaled, level);
            }
        }

        private float Run(OrtValue[] inputs)
        {
            _session.Run(_run, InputNames, inputs, OutputNames, _outputs);
            _hOut.CopyTo(_h, 0);
            _cOut.CopyTo(_c, 0);
            return _bias + System.Numerics.Tensors.TensorPrimitives.Dot(_weight, _h);
        }

        public void Dispose()
        {
            foreach (var v in _historyInputs.Concat(_stepInputs.Take(1)).Concat(_outputs)) v.Dispose();
            _run.Dispose();
            _session.Dispose();
        }
    }
}
