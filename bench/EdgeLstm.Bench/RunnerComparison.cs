namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench runners MODEL.safetensors MODEL.elstm TEXT`: one text run whole (a tagger's line, a classifier's
/// sentence) on the same weights by our float runner, our int8 runner (the .elstm's kernels) and ONNX Runtime's
/// float LSTM and DynamicQuantizeLSTM, one thread each, timed in turns in one process (best of 41 interleaved
/// rounds), so the ratios come from the same moments of a noisy VM — unlike `bench pareto`'s one process per row.
/// </summary>
internal static class RunnerComparison
{
    public static void Run(string safetensors, string elstm, string text)
    {
        FloatLstmModel floatModel = FloatLstmModel.Load(safetensors);
        using var int8 = CompactModelLoader.Load(ModelFileReader.Read(elstm));
        using var ortFloat = new OrtPeerModel(floatModel, quantized: false);
        using var ortInt8 = new OrtPeerModel(floatModel, quantized: true);
        int[] tokens = floatModel.Tokenizer.Encode(text), affixes = TaggerEvaluator.AffixIds(floatModel.Description, floatModel.Tokenizer, text);
        ISequenceRunner[] runners = [floatModel.CreateRunner(), int8.CreateRunner(), ortFloat.CreateRunner(), ortInt8.CreateRunner()];
        string[] names = ["EdgeLstm f32", $"EdgeLstm int8 ({LstmKernels.For((QuantizedLstmModel)int8).Name})", "ORT float LSTM", "ORT DynamicQuantizeLSTM"];
        double[] us = Timing.BestInterleaved(runners.Select(r => ((Action)(() => r.Run(tokens, affixes)), 20)).ToArray());
        foreach (var r in runners) r.Dispose();
        Console.WriteLine($"{Path.GetFileName(safetensors)}: {tokens.Length} tokens run whole, one thread, best µs of 41 interleaved rounds");
        for (int i = 0; i < names.Length; i++) Console.WriteLine($"  {names[i],-36} {us[i],9:F1}");
        Console.WriteLine($"  f32 vs ORT float {us[2] / us[0]:F2}x; int8 vs ORT int8 {us[3] / us[1]:F2}x");
    }
}
