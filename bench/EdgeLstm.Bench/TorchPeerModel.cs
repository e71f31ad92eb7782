namespace EdgeLstm.Bench;

/// <summary>
/// libtorch (through TorchSharp) behind our model interface, so the task evaluators score it as they score our
/// runtime: the embedding (with a word's affix rows summed after it, input.affixes), one nn.LSTM per layer
/// (bidirectional where the description says) and the output layer, with the float model's weights, float32; whole
/// sequences (runner: every step's output, or max/mean pooled) or one step with the state kept (session). A sequence-to-sequence model decodes with the trainer's network under our
/// beam search (<see cref="TorchAttentionDecoder"/>). Call torch.set_num_threads first.
/// </summary>
internal sealed class TorchPeerModel : PeerModel
{
    private readonly Tensor? _embedding, _affixes;
    private readonly TorchSharp.Modules.LSTM[] _layers = [];
    private readonly Tensor? _headWeight, _headBias;
    private readonly Seq2SeqNetwork? _seq2seq;

    public TorchPeerModel(FloatLstmModel model, string safetensorsPath) : base(model)
    {
        ModelDescription d = model.Description;
        if (d.Head.Decoder is not null)
        {
            _seq2seq = TaskNetworks.Load<Seq2SeqNetwork>(safetensorsPath);
            return;
        }
        if (d.Head.Pooling is not (Poolings.None or Poolings.Max or Poolings.Mean))
            throw new ArgumentException($"pooling '{d.Head.Pooling}' is not written for the libtorch peer");
        if (Array.Exists(d.Encoder, l => l.Reverse)) throw new ArgumentException("a reverse LSTM layer is not written for the libtorch peer (nn.LSTM has none)");
        using var noGrad = no_grad();
        if (model.HasEmbedding) _embedding = tensor(model.Embedding, [model.Tokenizer.VocabularySize, d.Input.Size]);
        if (d.Input.Affixes is { } a) _affixes = tensor(model.Affixes, [a.Buckets, a.Size]);
        _layers = new TorchSharp.Modules.LSTM[d.Encoder.Length];
        for (int l = 0; l < _layers.Length; l++)
        {
            int hidden = d.Encoder[l].Hidden, input = d.LayerInputWidth(l);
            var lstm = nn.LSTM(input, hidden, batchFirst: true, bidirectional: d.Encoder[l].Bidirectional);
            foreach (var (layer, suffix) in d.Encoder[l].Bidirectional ? [(model.Layers[l], ""), (model.ReverseLayers[l]!, "_reverse")] : new[] { (model.Layers[l], "") })
            {
                lstm.get_parameter("weight_ih_l0" + suffix)!.copy_(tensor(layer.WeightIh, [4L * hidden, input]));
                lstm.get_parameter("weight_hh_l0" + suffix)!.copy_(tensor(layer.WeightHh, [4L * hidden, hidden]));
                lstm.get_parameter("bias_ih_l0" + suffix)!.copy_(tensor(layer.BiasIh));
                lstm.get_parameter("bias_hh_l0" + suffix)!.copy_(tensor(layer.BiasHh));
            }
            lstm.eval();
            _layers[l] = lstm;
        }
        _headWeight = tensor(model.HeadWeight, [d.Head.Size, d.EncoderWidth]);
        _headBias = tensor(model.HeadBias);
    }

    protected override ILanguageModelSession NewSession() => new Session(this);

    public override ISequenceRunner CreateRunner() => new Runner(this);

    public override ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam) =>
        new BeamSearchTransducer(new TorchAttentionDecoder(_seq2seq ?? throw new NotSupportedException("not a sequence-to-sequence model"), Description), Description);

    public override void Dispose()
    {
        foreach (var l in _layers) l.Dispose();
        foreach (var t in new[] { _embedding, _affixes, _headWeight, _headBias }) t?.Dispose();
        _seq2seq?.Dispose();
    }

    /// <summary>
    /// Input rows [1, T, input]: the embedding of the tokens, then (input.affixes) the sum of each token's affix rows,
    /// as layer 0 reads them; or the (normalised) vectors.
    /// </summary>
    private Tensor Embed(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes = default)
    {
        WordAffixes.Check(Description, tokens.Length, affixes);
        Tensor x = _embedding!.index_select(0, tensor(Int64s(tokens)));
        if (_affixes is not null)
            x = cat([x, _affixes.index_select(0, tensor(Int64s(affixes))).view(tokens.Length, -1, _affixes.shape[1]).sum(1)], 1);
        return x.unsqueeze(0);
    }

    private static long[] Int64s(ReadOnlySpan<int> values)
    {
        long[] ids = new long[values.Length];
        for (int t = 0; t < ids.Length; t++) ids[t] = values[t];
        return ids;
    }

    private Tensor Vectors(ReadOnlySpan<float> inputs)
    {
        float[] x = inputs.ToArray();
        VectorNormalization.Apply(Description.Input, x);
        return tensor(x, [1, x.Length / Description.Input.Size, Description.Input.Size]);
    }

    private sealed class Runner(TorchPeerModel peer) : ISequenceRunner
    {
        private float[] _logits = [];

        public ModelDescription Description => peer.Description;
        public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens)
        {
            using var scope = NewDisposeScope(); // the input tensor too
            return Forward(peer.Embed(tokens));
        }

        public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, ReadOnlySpan<int> affixes)
        {
            using var scope = NewDisposeScope();
            return Forward(peer.Embed(tokens, affixes));
        }

        public ReadOnlySpan<float> RunVectors(ReadOnlySpan<float> inputs)
        {
            using var scope = NewDisposeScope();
            return Forward(peer.Vectors(inputs));
        }

        private float[] Forward(Tensor input)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Tensor x = input;
            foreach (var lstm in peer._layers) (x, _, _) = lstm.call(x);
            x = Description.Head.Pooling switch
            {
                Poolings.Max => x.amax([1]),
                Poolings.Mean => x.mean([1]),
                _ => x.squeeze(0),
            };
            var logits = nn.functional.linear(x, peer._headWeight!, peer._headBias!).contiguous().data<float>();
            if (_logits.Length != (int)logits.Count) _logits = new float[logits.Count];
            logits.CopyTo(_logits);
            return _logits;
        }

        public void Dispose() { }
    }

    /// <summary>One nn.LSTM call per layer and step, the (h, c) of each layer kept between steps.</summary>
    private sealed class Session : ILanguageModelSession
    {
        private readonly TorchPeerModel _peer;
        private readonly (Tensor H, Tensor C)[] _state;
        private readonly float[] _logits;

        public Session(TorchPeerModel peer)
        {
            _peer = peer;
            _state = peer.Description.Encoder.Select(e => (zeros(1, 1, e.Hidden), zeros(1, 1, e.Hidden))).ToArray();
            _logits = new float[peer.Description.Head.Size];
        }

        public ITokenizer Tokenizer => _peer.Tokenizer;
        public int InputSize => _peer.Description.Input.Size;
        public ReadOnlySpan<float> Logits => _logits;

        public ReadOnlySpan<float> Step(int token)
        {
            using var scope = NewDisposeScope(); // the input tensor too
            return Forward(_peer.Embed([token]));
        }

        public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input)
        {
            using var scope = NewDisposeScope();
            return Forward(tensor(input.ToArray(), [1, 1, input.Length]));
        }

        private float[] Forward(Tensor input)
        {
            // Called inside Step's dispose scope; the new state is detached from it, the old disposed.
            using var noGrad = no_grad();
            Tensor x = input;
            for (int l = 0; l < _state.Length; l++)
            {
                var (y, h, c) = _peer._layers[l].call(x, _state[l]);
                _state[l].H.Dispose();
                _state[l].C.Dispose();
                _state[l] = (h.DetachFromDisposeScope(), c.DetachFromDisposeScope());
                x = y;
            }
            nn.functional.linear(x.view(-1), _peer._headWeight!, _peer._headBias!).data<float>().CopyTo(_logits);
            return _logits;
        }

        public void Reset()
        {
            foreach (var (h, c) in _state)
            {
                h.zero_();
                c.zero_();
            }
            Array.Clear(_logits);
        }

        public int StateLength => throw new NotSupportedException();
        public void SaveState(Span<float> state) => throw new NotSupportedException();
        public void LoadState(ReadOnlySpan<float> state) => throw new NotSupportedException();

        public void Dispose()
        {
            foreach (var (h, c) in _state)
            {
                h.Dispose();
                c.Dispose();
            }
        }
    }
}
