namespace EdgeLstm.Bench;

/// <summary>
/// ONNX Runtime behind our model interface, so the task evaluators score it exactly as they score our runtime:
/// the graph of <see cref="OnnxEncoderWriter"/> (float LSTM op, or DynamicQuantizeLSTM + DynamicQuantizeMatMul)
/// runs whole sequences (runner) or one step with the state fed back (session); a sequence-to-sequence model
/// decodes through <see cref="OrtAttentionDecoder"/> under our beam search. One intra-op thread, batch 1, on the
/// same weights as the float model it is built from.
/// </summary>
internal sealed class OrtPeerModel : PeerModel
{
    private readonly bool _quantized;
    private readonly int _threads;
    private readonly InferenceSession? _graph;
    private readonly string[] _inputNames, _outputNames;

    /// <param name="threads">ONNX Runtime's intra-op threads (1, as every peer row; 2 for the Pareto suite's two-thread int8 row).</param>
    public OrtPeerModel(FloatLstmModel model, bool quantized, int threads = 1) : base(model)
    {
        _quantized = quantized;
        _threads = threads;
        ModelDescription d = model.Description;
        var names = new List<string> { model.HasEmbedding ? "tokens" : "x0" };
        if (d.Input.Affixes is not null) names.Add("affixes"); // such a model does not step: only the runner feeds the graph
        var outputs = new List<string> { "logits" };
        for (int l = 0; l < d.Encoder.Length; l++)
        {
            names.AddRange([$"h{l}", $"c{l}"]);
            outputs.AddRange([$"h{l}_out", $"c{l}_out"]);
        }
        (_inputNames, _outputNames) = (names.ToArray(), outputs.ToArray());
        if (d.Head.Decoder is not null) // decoded by OrtAttentionDecoder's two graphs
        {
            GraphBytes = OnnxSeq2SeqWriter.Encoder(model, quantized).Length + OnnxSeq2SeqWriter.DecoderStep(model, quantized).Length;
            return;
        }
        using var options = Options(threads);
        byte[] graph = OnnxEncoderWriter.Write(model, quantized);
        GraphBytes = graph.Length;
        _graph = new InferenceSession(graph, options);
    }

    /// <summary>Bytes of the ONNX graph(s) the model runs as.</summary>
    public long GraphBytes { get; }

    internal static SessionOptions Options(int threads = 1) => new()
    {
        IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    protected override ILanguageModelSession NewSession() => new Session(this);

    public override ISequenceRunner CreateRunner() => new Runner(this);

    public override ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam) =>
        new BeamSearchTransducer(new OrtAttentionDecoder(Model, _quantized, _threads), Description);

    public override void Dispose() => _graph?.Dispose();

    /// <summary>State arrays h/c per layer ([D, 1, H] each), in the graph's input order.</summary>
    private float[][] NewState() =>
        Description.Encoder.SelectMany(e => new[] { new float[e.Directions * e.Hidden], new float[e.Directions * e.Hidden] }).ToArray();

    /// <summary>Whole sequences from a zero state; ORT allocates the outputs of each run.</summary>
    private sealed class Runner(OrtPeerModel peer) : ISequenceRunner
    {
        private readonly float[][] _state = peer.NewState();
        private readonly RunOptions _run = new();
        private float[] _logits = [];

        public ModelDescription Description => peer.Description;

        public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens) => Run(tokens, default);

        public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes)
        {
            WordAffixes.Check(Description, tokens.Length, affixes);
            using var input = OrtValue.CreateTensorValueFromMemory(Int64s(tokens), [tokens.Length, 1]);
            if (affixes.IsEmpty) return Run(input);
            using var affixInput = OrtValue.CreateTensorValueFromMemory(Int64s(affixes), [tokens.Length, 1, affixes.Length / tokens.Length]);
            return Run(input, affixInput);
        }

        private static long[] Int64s(ReadOnlySpan<int> values)
        {
            long[] ids = new long[values.Length];
            for (int t = 0; t < ids.Length; t++) ids[t] = values[t];
            return ids;
        }

        public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs)
        {
            int size = Description.Input.Size;
            float[] x = inputs.ToArray();
            VectorNormalization.Apply(Description.Input, x);
            using var input = OrtValue.CreateTensorValueFromMemory(x, [x.Length / size, 1, size]);
            return Run(input);
        }

        private float[] Run(params OrtValue[] inputs)
        {
            var values = new List<OrtValue>(inputs);
            for (int i = 0; i < _state.Length; i++)
            {
                var e = Description.Encoder[i / 2];
                values.Add(OrtValue.CreateTensorValueFromMemory(_state[i], [e.Directions, 1, e.Hidden]));
            }
            try
            {
                using var results = peer._graph!.Run(_run, peer._inputNames, values, peer._outputNames);
                var logits = results[0].GetTensorDataAsSpan<float>();
                if (_logits.Length != logits.Length) _logits = new float[logits.Length];
                logits.CopyTo(_logits);
                return _logits;
            }
            finally
            {
                for (int i = inputs.Length; i < values.Count; i++) values[i].Dispose();
            }
        }

        public void Dispose() => _run.Dispose();
    }

    /// <summary>One step per run (T = 1), every tensor pre-allocated over managed arrays, the state copied back.</summary>
    private sealed class Session : ILanguageModelSession
    {
        private readonly OrtPeerModel _peer;
        private readonly RunOptions _run = new();
        private readonly long[] _token = new long[1];
        private readonly float[] _x, _logits;
        private readonly float[][] _state, _stateOut;
        private readonly OrtValue[] _inputs, _outputs;

        public Session(OrtPeerModel peer)
        {
            _peer = peer;
            ModelDescription d = peer.Description;
            _x = new float[d.Input.Size];
            _logits = new float[d.Head.Size];
            _state = peer.NewState();
            _stateOut = peer.NewState();
            var inputs = new List<OrtValue> { peer.HasEmbedding ? OrtValue.CreateTensorValueFromMemory(_token, [1, 1]) : OrtValue.CreateTensorValueFromMemory(_x, [1, 1, _x.Length]) };
            var outputs = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(_logits, [1, _logits.Length]) };
            for (int i = 0; i < _state.Length; i++)
            {
                var e = d.Encoder[i / 2];
                long[] shape = [e.Directions, 1, e.Hidden];
                inputs.Add(OrtValue.CreateTensorValueFromMemory(_state[i], shape));
                outputs.Add(OrtValue.CreateTensorValueFromMemory(_stateOut[i], shape));
            }
            (_inputs, _outputs) = (inputs.ToArray(), outputs.ToArray());
        }

        public ITokenizer Tokenizer => _peer.Tokenizer;
        public int InputSize => _x.Length;
        public ReadOnlySpan<float> Logits => _logits;

        public ReadOnlySpan<float> Step(int token)
        {
            _token[0] = token;
            return Run();
        }

        public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input)
        {
            input.CopyTo(_x);
            return Run();
        }

        private float[] Run()
        {
            _peer._graph!.Run(_run, _peer._inputNames, _inputs, _peer._outputNames, _outputs);
            for (int i = 0; i < _state.Length; i++) _stateOut[i].CopyTo(_state[i], 0);
            return _logits;
        }

        public void Reset()
        {
            foreach (float[] s in _state) Array.Clear(s);
            Array.Clear(_logits);
        }

        public int StateLength => throw new NotSupportedException();
        public void SaveState(Span<float> state) => throw new NotSupportedException();
        public void LoadState(ReadOnlySpan<float> state) => throw new NotSupportedException();

        public void Dispose()
        {
            foreach (var v in _inputs) v.Dispose();
            foreach (var v in _outputs) v.Dispose();
            _run.Dispose();
        }
    }
}
