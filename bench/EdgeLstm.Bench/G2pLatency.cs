using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Trainer;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

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
        var (network, _) = Seq2SeqExport.Load(safetensors, dropout: 0);
        network.eval();
        var words = PronunciationLexicon.Read(lexicon).Where(w => w.Split == "test").Take(count)
            .Select(w => TransducerText.Encode(floatModel.Tokenizer, w.Word)).ToArray();
        ModelDescription d = floatModel.Description;
        var engines = new (string Name, ITransducer Transducer)[]
        {
            ("EdgeLstm int8", int8Model.CreateTransducer()),
            ("EdgeLstm float", floatModel.CreateTransducer()),
            ("ORT float LSTM", new BeamSearchTransducer(new OrtDecoder(floatModel, quantized: false), d)),
            ("ORT DynamicQuantizeLSTM", new BeamSearchTransducer(new OrtDecoder(floatModel, quantized: true), d)),
            ("libtorch", new BeamSearchTransducer(new TorchDecoder(network, d), d)),
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

    /// <summary>ONNX Runtime: the encoder graph once per word, then the decoder-step graph for all live hypotheses.</summary>
    private sealed class OrtDecoder : IAttentionDecoder
    {
        private readonly InferenceSession _encoder, _step;
        private readonly RunOptions _run = new();
        private readonly int _hidden, _width;
        private float[] _outputs = [], _keys = [], _h = [], _c = [];
        private int _steps;

        public OrtDecoder(FloatLstmModel model, bool quantized)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _encoder = new InferenceSession(OnnxSeq2SeqWriter.Encoder(model, quantized), options);
            _step = new InferenceSession(OnnxSeq2SeqWriter.DecoderStep(model, quantized), options);
            _hidden = model.Description.Head.Decoder!.Hidden;
            _width = model.Description.EncoderWidth;
            Vocabulary = model.Description.Head.Size;
            _h = new float[MaxStreams * _hidden];
            _c = new float[MaxStreams * _hidden];
        }

        public int MaxStreams => BeamSearchTransducer.DefaultMaxBeam;
        public int Vocabulary { get; }

        public void Begin(ReadOnlySpan<int> tokens)
        {
            _steps = tokens.Length;
            long[] ids = new long[_steps];
            for (int t = 0; t < _steps; t++) ids[t] = tokens[t];
            using var input = OrtValue.CreateTensorValueFromMemory(ids, [_steps, 1]);
            using var results = _encoder.Run(_run, ["tokens"], [input], ["outputs", "keys", "h0"]);
            _outputs = results[0].GetTensorDataAsSpan<float>().ToArray();
            _keys = results[1].GetTensorDataAsSpan<float>().ToArray();
            results[2].GetTensorDataAsSpan<float>().CopyTo(_h);
            Array.Clear(_c);
        }

        public void Step(ReadOnlySpan<int> previous, Span<float> logits)
        {
            int n = previous.Length;
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) ids[i] = previous[i];
            using var p = OrtValue.CreateTensorValueFromMemory(ids, [n]);
            using var h = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _h.AsMemory(0, n * _hidden), [1, n, _hidden]);
            using var c = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _c.AsMemory(0, n * _hidden), [1, n, _hidden]);
            using var o = OrtValue.CreateTensorValueFromMemory(_outputs, [_steps, _width]);
            using var k = OrtValue.CreateTensorValueFromMemory(_keys, [_steps, _hidden]);
            using var results = _step.Run(_run, ["previous", "h", "c", "outputs", "keys"], [p, h, c, o, k], ["logits", "h_next", "c_next"]);
            results[0].GetTensorDataAsSpan<float>().CopyTo(logits);
            results[1].GetTensorDataAsSpan<float>().CopyTo(_h);
            results[2].GetTensorDataAsSpan<float>().CopyTo(_c);
        }

        public void Reorder(ReadOnlySpan<int> parents)
        {
            float[] h = (float[])_h.Clone(), c = (float[])_c.Clone();
            for (int i = 0; i < parents.Length; i++)
            {
                h.AsSpan(parents[i] * _hidden, _hidden).CopyTo(_h.AsSpan(i * _hidden));
                c.AsSpan(parents[i] * _hidden, _hidden).CopyTo(_c.AsSpan(i * _hidden));
            }
        }

        public void Dispose()
        {
            _run.Dispose();
            _encoder.Dispose();
            _step.Dispose();
        }
    }

    /// <summary>libtorch: the trainer's network, encoded once per word, decoded a step at a time for all live hypotheses.</summary>
    private sealed class TorchDecoder(Seq2SeqNetwork network, ModelDescription description) : IAttentionDecoder
    {
        private Tensor? _outputs, _keys, _mask, _h, _c;

        public int MaxStreams => BeamSearchTransducer.DefaultMaxBeam;
        public int Vocabulary { get; } = description.Head.Size;

        public void Begin(ReadOnlySpan<int> tokens)
        {
            Release();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            long[] ids = new long[tokens.Length];
            for (int t = 0; t < ids.Length; t++) ids[t] = tokens[t];
            var (outputs, keys, mask, (h, c)) = network.Encode(tensor(ids, [1, ids.Length]), tensor(new long[] { ids.Length }));
            (_outputs, _keys, _mask, _h, _c) = (outputs.MoveToOuterDisposeScope(), keys.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
                h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
        }

        public void Step(ReadOnlySpan<int> previous, Span<float> logits)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            int n = previous.Length;
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) ids[i] = previous[i];
            var (l, (h, c)) = network.Decode(tensor(ids, [n, 1]), (_h!, _c!), _outputs!.expand(n, -1, -1), _keys!.expand(n, -1, -1), _mask!.expand(n, -1));
            l.data<float>().CopyTo(logits);
            _h!.Dispose();
            _c!.Dispose();
            (_h, _c) = (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
        }

        public void Reorder(ReadOnlySpan<int> parents)
        {
            using var index = tensor(parents.ToArray().Select(p => (long)p).ToArray());
            var (h, c) = (_h!.index_select(1, index), _c!.index_select(1, index));
            _h.Dispose();
            _c!.Dispose();
            (_h, _c) = (h, c);
        }

        private void Release()
        {
            foreach (var t in new[] { _outputs, _keys, _mask, _h, _c }) t?.Dispose();
        }

        public void Dispose() => Release();
    }
}
