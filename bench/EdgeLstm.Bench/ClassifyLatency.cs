namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench classify`: latency to classify a 20-token sentence and a 300-token email with a word BiLSTM
/// (embedding 64, BiLSTM 64, max pooling, 2 labels; random weights, 10,000 words), batch 1, one thread, on the
/// same weights: our int8 and float runners, ONNX Runtime (LSTM direction=bidirectional in float, and
/// DynamicQuantizeLSTM), libtorch (the trainer's network). Timed in turns; the best batch per engine.
/// </summary>
internal static class ClassifyLatency
{
    public static void Run(int embedding = 64, int hidden = 64, int vocabulary = 10_000)
    {
        torch.set_num_threads(1);
        torch.manual_seed(7);
        var words = Enumerable.Range(0, vocabulary - 2).Select(i => $"w{i}");
        var tokenizer = WordTokenizer.Build(words, vocabulary, 1, lowercase: true);
        string[] labels = ["negative", "positive"];
        using var network = TaskNetworks.Create<ClassifierNetwork>(ClassifierNetwork.Describe(tokenizer, embedding, hidden, 1, true, Poolings.Max, labels), dropout: 0);
        network.eval();
        FloatLstmModel floatModel = TaskNetworks.ToFloatModel(network);
        using var int8 = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(
            CompactModelBuilder.Build(floatModel, WeightType.Int8, blockSparse: false, "none", "bench"), "bench.elstm"));
        using var floatRunner = floatModel.CreateRunner();
        using var int8Runner = int8.CreateRunner();
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var ortFloat = new InferenceSession(OnnxClassifierWriter.Write(floatModel, quantized: false), options);
        using var ortInt8 = new InferenceSession(OnnxClassifierWriter.Write(floatModel, quantized: true), options);
        Console.WriteLine($"word BiLSTM classifier: vocabulary {vocabulary:N0}, embedding {embedding}, BiLSTM {hidden}, max pooling, 2 labels; " +
            $"batch 1, one thread; int8 kernels {int8Runner.KernelName}; best µs per text (timed in turns)");
        Console.WriteLine("tokens | EdgeLstm int8 | EdgeLstm float | ORT float LSTM | ORT DynamicQuantizeLSTM | libtorch | ORT float / EdgeLstm int8 | ORT int8 / EdgeLstm int8 | libtorch / EdgeLstm int8");
        var random = new Random(5);
        foreach (int length in new[] { 20, 300 })
        {
            int[] tokens = Enumerable.Range(0, length).Select(_ => random.Next(2, vocabulary)).ToArray();
            long[] tokens64 = Array.ConvertAll(tokens, t => (long)t);
            using var ortInput = OrtValue.CreateTensorValueFromMemory(tokens64, [length, 1]);
            var ortOutput = new float[2];
            using var ortLogits = OrtValue.CreateTensorValueFromMemory(ortOutput, [1, 2]);
            using var run = new RunOptions();
            void Ort(InferenceSession s) => s.Run(run, ["tokens"], [ortInput], ["logits"], [ortLogits]);
            using var torchTokens = tensor(tokens64, [1, length]);
            using var torchLengths = tensor(new long[] { length });
            float[] TorchLogits()
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                return network.Forward(torchTokens, torchLengths).data<float>().ToArray();
            }

            // Same answers first: float engines agree to float rounding, the int8 ones to quantization error.
            float[] reference = TorchLogits();
            float[] ours = floatRunner.Run(tokens).ToArray();
            Ort(ortFloat);
            float[] ortFloatLogits = (float[])ortOutput.Clone();
            Ort(ortInt8);
            Console.WriteLine($"  check, {length} tokens: |float − libtorch| {MaxDiff(ours, reference):E1}, |ORT float − libtorch| {MaxDiff(ortFloatLogits, reference):E1}, " +
                $"|int8 − libtorch| {MaxDiff(int8Runner.Run(tokens).ToArray(), reference):E1}, |ORT int8 − libtorch| {MaxDiff(ortOutput, reference):E1}");

            int calls = length > 100 ? 20 : 200;
            double[] best = Timing.BestInterleaved(
            [
                (() => int8Runner.Run(tokens), calls),
                (() => floatRunner.Run(tokens), calls),
                (() => Ort(ortFloat), calls),
                (() => Ort(ortInt8), calls),
                (() => TorchLogits(), calls),
            ], rounds: 21);
            Console.WriteLine($"{length} | {best[0]:F1} | {best[1]:F1} | {best[2]:F1} | {best[3]:F1} | {best[4]:F1} | **{best[2] / best[0]:F2}x** | **{best[3] / best[0]:F2}x** | {best[4] / best[0]:F2}x");
        }
    }

    private static double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
