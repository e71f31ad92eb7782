namespace EdgeLstm.Trainer;

/// <summary>
/// The TorchSharp layers of a <see cref="ModelDescription"/>: the input (an nn.Embedding for tokens; float vectors
/// go straight in), the encoder (one nn.LSTM, forward or bidirectional) and dropout, made here for every task; a
/// subclass adds its head's layers with <see cref="Add"/>. Every layer is registered under the module name
/// <see cref="ModelTensors"/> gives, and the constructor's caller checks the result with <see cref="CheckTensors"/>,
/// so the state_dict is exactly the description's float tensor list and the converter, loaders and PyTorch read it.
/// <see cref="TaskNetworks.Create"/> picks the subclass for a description.
/// </summary>
public abstract class TaskNetwork : nn.Module
{
    private readonly Embedding? embedding;
    private readonly Embedding? affixes;
    private readonly CharacterWordEncoder? characters;
    private readonly LSTM lstm;
    private readonly Dropout drop;

    /// <param name="paddingIndex">A token id whose embedding stays zero and untrained (padded batches), or null.</param>
    protected TaskNetwork(ModelDescription description, double dropout, long? paddingIndex = null) : base(description.Task)
    {
        var layers = description.Encoder;
        // nn.LSTM reads forward or both ways; a reverse-only layer (imported from ONNX) has no module to train it in.
        if (Array.Exists(layers, l => l.Reverse))
            throw new ArgumentException("the trainer cannot build a reverse LSTM layer (nn.LSTM is forward or bidirectional); such models come from ONNX imports and are converted, not trained");
        if (layers.Length == 0 || Array.Exists(layers, l => l.Hidden != layers[0].Hidden || l.Bidirectional != layers[0].Bidirectional))
            throw new ArgumentException("the trainer builds encoders whose layers share one hidden size and one direction (nn.LSTM)");
        Description = description;
        Dropout = dropout;
        // Made in this order (embedding, LSTM, the head's layers) so the random initial weights are those of earlier releases.
        if (description.Input.Kind == InputKinds.Tokens)
            embedding = Add(ModelTensors.EmbeddingModule, nn.Embedding(description.Input.Tokenizer!.Vocabulary.Length, description.Input.Size, padding_idx: paddingIndex));
        if (description.Input.Affixes is { } affix)
        {
            affixes = Add(ModelTensors.AffixModule, nn.Embedding(affix.Buckets, affix.Size));
            // A word's affix rows are summed: N(0, 1/n) rows give the sum the spread of one word embedding row.
            using var noGrad = no_grad();
            affixes.weight!.mul_(1.0 / Math.Sqrt(affix.PerWord));
        }
        if (description.Input.Characters is { } chars) characters = Add(ModelTensors.CharModule, new CharacterWordEncoder(chars));
        lstm = Add(ModelTensors.LstmModule, nn.LSTM(description.LayerInputWidth(0), layers[0].Hidden, numLayers: layers.Length, batchFirst: true,
            dropout: layers.Length > 1 ? dropout : 0.0, bidirectional: layers[0].Bidirectional));
        drop = Add("drop", nn.Dropout(dropout));
    }

    public ModelDescription Description { get; }
    public double Dropout { get; }

    /// <summary>Registers a head's layer under its <see cref="ModelTensors"/> module name.</summary>
    protected T Add<T>(string name, T module) where T : nn.Module
    {
        register_module(name, module);
        return module;
    }

    /// <summary>Dropout as the network was built with it (identity in eval mode).</summary>
    protected Tensor Drop(Tensor x) => drop.call(x);

    /// <summary>
    /// Layer 0's input: embedded tokens [B, T] → [B, T, E] (with input.affixes, the sum of each word's affix rows
    /// after it: affix ids [B, T, PerWord] → [B, T, E + A]; with input.characters, the character BiLSTM's states
    /// after those: characters [B, T, L] and their lengths [B, T] → [B, T, E + A + 2C]), or the float vectors [B, T, F] themselves.
    /// </summary>
    protected Tensor Input(Tensor x, Tensor? affixIds = null, (Tensor Ids, Tensor Lengths)? chars = null)
    {
        if (embedding is null) return x;
        if ((affixes is null) != (affixIds is null))
            throw new ArgumentException(affixes is null ? "this network has no input.affixes; give no affix ids" : "this network reads affix ids beside its token ids (input.affixes)");
        if ((characters is null) != (chars is null))
            throw new ArgumentException(characters is null ? "this network has no input.characters; give no character ids" : "this network reads each word's characters beside its token ids (input.characters)");
        if (affixes is null && characters is null) return embedding.call(x);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor> { embedding.call(x) };
        if (affixes is not null) parts.Add(affixes.call(affixIds!).sum(2));
        if (characters is not null) parts.Add(characters.Forward(chars!.Value.Ids, chars.Value.Lengths));
        return cat(parts, 2).MoveToOuterDisposeScope();
    }

    /// <summary>Unpacked: input [B, T(, F)] from a state (or zeros) → outputs [B, T, D] and the final (h, c), each [layers·directions, B, H].</summary>
    protected (Tensor Output, Tensor H, Tensor C) Encode(Tensor input, (Tensor H, Tensor C)? state = null)
    {
        if (embedding is null) return lstm.call(input, state);
        using var x = embedding.call(input);
        return lstm.call(x, state);
    }

    /// <summary>
    /// Padded batches: tokens [B, T] (padded with 0) with lengths [B] (int64) → outputs [B, Tmax, D] (zeros past each
    /// length), the final h [layers·directions, B, H] and the mask of real steps [B, Tmax]. Each sequence is packed at its
    /// own length, so the reverse direction starts at its true end and the padding never reaches the LSTM.
    /// </summary>
    /// <param name="affixIds">With input.affixes: each word's affix ids [B, T, PerWord] (any ids past a length).</param>
    /// <param name="chars">With input.characters: each word's character ids [B, T, L] and their counts [B, T] (<see cref="CharacterWordEncoder"/>).</param>
    protected (Tensor Output, Tensor H, Tensor Mask) EncodePadded(Tensor tokens, Tensor lengths, Tensor? affixIds = null, (Tensor Ids, Tensor Lengths)? chars = null)
    {
        var x = drop.call(Input(tokens, affixIds, chars));
        var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: true, enforce_sorted: false);
        var (outputPacked, h, _) = lstm.call(packed);
        var (output, _) = nn.utils.rnn.pad_packed_sequence(outputPacked, batch_first: true);
        outputPacked.Dispose();
        var mask = arange(output.shape[1]).unsqueeze(0).lt(lengths.unsqueeze(1));
        return (output, h, mask);
    }

    /// <summary>The top layer's final state of each direction, [B, D]: h is [layers·directions, B, H], the top layer last.</summary>
    protected Tensor LastState(Tensor h) => Description.Encoder[^1].Bidirectional ? cat([h[-2], h[-1]], 1) : h[-1];

    /// <summary>Throws unless the state_dict holds exactly the description's float tensors, by name and shape.</summary>
    public void CheckTensors()
    {
        var expected = ModelTensors.Of(Description, fusedBiases: false).ToDictionary(t => t.Name, t => t.Shape);
        var actual = state_dict();
        foreach (var (name, value) in actual)
            if (!expected.TryGetValue(name, out long[]? shape) || !shape.SequenceEqual(value.shape))
                throw new InvalidOperationException($"{GetType().Name}: layer tensor '{name}' {string.Join("×", value.shape)} is not in the model description's tensor list");
        foreach (string name in expected.Keys)
            if (!actual.ContainsKey(name)) throw new InvalidOperationException($"{GetType().Name}: the model description's tensor '{name}' has no layer");
    }

    /// <summary>Copies the weights that <paramref name="weights"/> holds under this network's names and shapes (pretraining); the rest stay.</summary>
    public void InitializeFrom(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
            if (weights.TryGetValue(name, out var source) && source.shape.SequenceEqual(parameter.shape)) parameter.copy_(source);
    }
}
