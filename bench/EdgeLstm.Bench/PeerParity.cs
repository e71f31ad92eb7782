namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench peers MODEL.safetensors TEXTS [count]`: the first texts of a file (a CoNLL file's sentences, or
/// lines) run whole by our float runner and by each peer on the same weights, with the word affix ids where the
/// model reads them; prints the largest |peer − ours| over the outputs (a CRF tagger's emissions), and how many
/// tags a CRF decodes differently from them. ONNX Runtime's DynamicQuantizeLSTM is int8: far from float by design.
/// What `bench pareto` relies on to score the peers fairly, checked without timing anything.
/// </summary>
internal static class PeerParity
{
    public static void Run(string safetensors, string texts, int count)
    {
        FloatLstmModel model = FloatLstmModel.Load(safetensors);
        string[] sample = (texts.EndsWith(".conll", StringComparison.OrdinalIgnoreCase)
            ? Runtime.Tagging.ConllFile.Read(texts).Select(s => string.Join(' ', s.Tokens))
            : File.ReadLines(texts).Where(l => l.Trim().Length > 0)).Take(count).ToArray();
        torch.set_num_threads(1);
        using var ortFloat = new OrtPeerModel(model, quantized: false);
        using var ortInt8 = new OrtPeerModel(model, quantized: true);
        using var libtorch = new TorchPeerModel(model, safetensors);
        using ISequenceRunner ours = model.CreateRunner();
        Console.WriteLine($"{Path.GetFileName(safetensors)}: {sample.Length} texts of {Path.GetFileName(texts)}, outputs of each engine against our float runner");
        foreach (var (name, peer) in new (string, ILanguageModel)[] { ("ONNX Runtime LSTM", ortFloat), ("libtorch", libtorch), ("ONNX Runtime DynamicQuantizeLSTM", ortInt8) })
        {
            using ISequenceRunner runner = peer.CreateRunner();
            double max = 0;
            int tags = 0, differ = 0;
            foreach (string text in sample)
            {
                int[] tokens = model.Tokenizer.Encode(text), affixes = TaggerEvaluator.AffixIds(model.Description, model.Tokenizer, text);
                float[] expected = ours.Run(tokens, affixes).ToArray(), actual = runner.Run(tokens, affixes).ToArray();
                if (actual.Length != expected.Length) throw new InvalidOperationException($"{name}: {actual.Length} outputs, ours {expected.Length}");
                for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
                if (peer.Crf is not { } crf) continue;
                int[] a = crf.Decode(actual), e = crf.Decode(expected);
                tags += e.Length;
                differ += a.Zip(e).Count(p => p.First != p.Second);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-34} max |peer − ours| {max:E3}{(tags > 0 ? $"; CRF tags differing {differ} of {tags}" : "")}"));
        }
    }
}
