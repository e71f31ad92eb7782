namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench g2p`: words per second of a grapheme-to-phoneme model, beam 1 and beam 5, batch 1, one thread,
/// on the same weights: our int8 and float decoders, ONNX Runtime (<see cref="OnnxSeq2SeqWriter"/>'s encoder and
/// decoder-step graphs; float LSTM or DynamicQuantizeLSTM) and libtorch (the trainer's network). Every engine runs
/// under the same <see cref="BeamSearchTransducer"/>, so only the model's arithmetic differs. Timed in turns.
/// </summary>
internal static class G2pLatency
{
    public static void Run(string elstm, string safetensors, string lexicon, int count = 100)
    {
        torch.set_num_threads(1);
        using var floatModel = FloatLstmModel.Load(safetensors);
        using var int8Model = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Read(elstm));
        var network = TaskNetworks.Load<Seq2SeqNetwork>(safetensors);
        var words = PronunciationLexicon.Read(lexicon).Where(w => w.Split == "test").Take(count)
            .Select(w => TransducerText.Encode(floatModel.Tokenizer, w.Word)).ToArray();
        ModelDescription d = floatModel.Description;
        var engines = new (string Name, ITransducer Transducer)[]
        {
            ("EdgeLstm int8", int8Model.CreateTransducer()),
            ("EdgeLstm float", floatModel.CreateTransducer()),
            ("ORT float LSTM", new BeamSearchTransducer(new OrtAttentionDecoder(floatModel, quantized: false), d)),
            ("ORT DynamicQuantizeLSTM", new BeamSearchTransducer(new OrtAttentionDecoder(floatModel, quantized: true), d)),
            ("libtorch", new BeamSearchTransducer(new TorchAttentionDecoder(network, d), d)),
        };
        var output = new int[d.Head.Decoder!.MaxSteps];
        string Pronounce(ITransducer t, int[] word, int beam) => string.Join(' ', output.AsSpan(0, t.Transduce(word, beam, output)).ToArray());
        Console.WriteLine($"g2p model {Path.GetFileName(elstm)}: {words.Length} test words, batch 1, one thread, int8 kernels {EdgeLstm.Runtime.Kernels.LstmKernels.Default.Name}; " +
            "every engine under the same beam search; µs per word (best of interleaved rounds) and agreement with EdgeLstm float");
        Console.WriteLine("beam | " + string.Join(" | ", engines.Select(e => e.Name)) + " | ORT float / ours int8 | ORT int8 / ours int8 | libtorch / ours int8");
        foreach (int beam in new[] { 1, 5 })
        {
            string[] reference = words.Select(w => Pronounce(engines[1].Transducer, w, beam)).ToArray();
            string agreement = string.Join(", ", engines.Select(e => $"{e.Name} {words.Select((w, i) => Pronounce(e.Transducer, w, beam) == reference[i]).Count(x => x)}/{words.Length}"));
            double[] best = Timing.BestInterleaved(engines.Select(e => ((Action)(() => { foreach (var w in words) e.Transducer.Transduce(w, beam, output); }), 1)).ToArray(),
                rounds: 5, warmupRounds: 1);
            double[] perWord = best.Select(us => us / words.Length).ToArray();
            Console.WriteLine($"  same output as EdgeLstm float, beam {beam}: {agreement}");
            Console.WriteLine($"{beam} | " + string.Join(" | ", perWord.Select(us => $"{us:F0}")) +
                $" | **{perWord[2] / perWord[0]:F2}x** | **{perWord[3] / perWord[0]:F2}x** | {perWord[4] / perWord[0]:F1}x");
        }
        foreach (var e in engines) e.Transducer.Dispose();
        network.Dispose();
    }
}
