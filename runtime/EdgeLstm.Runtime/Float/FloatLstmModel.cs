using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float32 model of any description (<see cref="ModelDescription"/>): token embedding or float input vectors →
/// LSTM layers, each forward, reverse or bidirectional → a head (next token, pooled classification, per-step tags or
/// regression). Its tensors are exactly <see cref="ModelTensors.Of"/>(description) under PyTorch's names.
/// Immutable once loaded; any number of sessions and runners may share it.
/// </summary>
public sealed class FloatLstmModel : ILanguageModel
{
    private readonly Dictionary<string, float[]> _tensors;
    private readonly ITokenizer? _tokenizer;

    /// <param name="tensors">One array per <see cref="ModelTensors.Of"/>(description, fusedBiases: false) entry, by name, of that shape.</param>
    public FloatLstmModel(ModelDescription description, IReadOnlyDictionary<string, float[]> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        string source = "model")
    {
        description.Validate(source);
        CharacterEncoders.ThrowIfPresent(description, source);
        Description = description;
        Metadata = metadata ?? new Dictionary<string, string>();
        _tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec spec in ModelTensors.Of(description, fusedBiases: false))
        {
            if (!tensors.TryGetValue(spec.Name, out float[]? values)) throw new ModelFormatException($"{source}: tensor '{spec.Name}' is missing");
            long expected = 1;
            foreach (long d in spec.Shape) expected *= d;
            if (values.LongLength != expected) throw new ModelFormatException($"{source}: tensor '{spec.Name}' has {values.LongLength} values; expected {spec.ShapeText}");
            _tensors[spec.Name] = values;
        }
        _tokenizer = description.Input.Tokenizer?.Create(source);
        Embedding = _tensors.GetValueOrDefault(ModelTensors.EmbeddingWeight) ?? [];
        Affixes = _tensors.GetValueOrDefault(ModelTensors.AffixWeight) ?? [];
        int layers = description.Encoder.Length;
        Layers = new FloatLstmLayer[layers];
        ReverseLayers = new FloatLstmLayer?[layers];
        for (int k = 0; k < layers; k++)
        {
            Layers[k] = LayerOf(k, reverse: description.Encoder[k].Reverse);
            if (description.Encoder[k].Bidirectional) ReverseLayers[k] = LayerOf(k, reverse: true);
        }
        PoolWeight = _tensors.GetValueOrDefault(ModelTensors.PoolWeight);
        PoolBias = _tensors.GetValueOrDefault(ModelTensors.PoolBias);
        HeadWeight = _tensors[ModelTensors.HeadWeight];
        HeadBias = _tensors[ModelTensors.HeadBias];
        PackedHead = new PackedFloatMatrix(HeadWeight, HeadBias.Length, HeadWeight.Length / HeadBias.Length);
        Crf = Tagging.CrfTransitions.Of(description, name => _tensors[name], source);
        if (description.Head.Decoder is { } decoder)
            DecoderLayer = new FloatLstmLayer(decoder.Embedding, decoder.Hidden, _tensors[ModelTensors.DecoderWeightIh], _tensors[ModelTensors.DecoderWeightHh],
                _tensors[ModelTensors.DecoderBiasIh], _tensors[ModelTensors.DecoderBiasHh]);
    }

    public Tagging.CrfTransitions? Crf { get; }

    /// <summary>Sequence-to-sequence models: the decoder's LSTM (its other weights through <see cref="Tensor"/>).</summary>
    public FloatLstmLayer? DecoderLayer { get; }

    private FloatLstmLayer LayerOf(int k, bool reverse) => new(Description.LayerInputWidth(k), Description.Encoder[k].Hidden,
        _tensors[ModelTensors.WeightIh(k, reverse)], _tensors[ModelTensors.WeightHh(k, reverse)],
        _tensors[ModelTensors.BiasIh(k, reverse)], _tensors[ModelTensors.BiasHh(k, reverse)]);

    /// <summary>A character model: embedding [V, E] → forward LSTM layers → next-token head [V, H].</summary>
    public FloatLstmModel(CharTokenizer tokenizer, float[] embedding, int embeddingDim, FloatLstmLayer[] layers, float[] headWeight, float[] headBias,
        IReadOnlyDictionary<string, string>? metadata = null)
        : this(DescriptionReader.CharLm(tokenizer.ToDescription().Vocabulary, embeddingDim, EncoderOf(layers), "model", tokenizer.VocabularySize),
            TensorsOf(layers, embedding, headWeight, headBias), metadata)
    {
    }

    private static EncoderLayerDescription[] EncoderOf(FloatLstmLayer[] layers) =>
        Array.ConvertAll(layers, l => new EncoderLayerDescription { Hidden = l.HiddenSize });

    private static Dictionary<string, float[]> TensorsOf(FloatLstmLayer[] layers, float[]? embedding, float[] headWeight, float[] headBias)
    {
        var tensors = new Dictionary<string, float[]> { [ModelTensors.HeadWeight] = headWeight, [ModelTensors.HeadBias] = headBias };
        if (embedding is not null) tensors[ModelTensors.EmbeddingWeight] = embedding;
        for (int k = 0; k < layers.Length; k++)
        {
            tensors[ModelTensors.WeightIh(k)] = layers[k].WeightIh;
            tensors[ModelTensors.WeightHh(k)] = layers[k].WeightHh;
            tensors[ModelTensors.BiasIh(k)] = layers[k].BiasIh;
            tensors[ModelTensors.BiasHh(k)] = layers[k].BiasHh;
        }
        return tensors;
    }

    public ModelDescription Description { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>False for models over float input vectors (<see cref="FloatLstmSession.StepInput"/>).</summary>
    public bool HasEmbedding => _tokenizer is not null;
    public ITokenizer Tokenizer => _tokenizer ?? throw new NotSupportedException(NoVocabularyMessage);
    internal const string NoVocabularyMessage = "this model reads float input vectors: it has no vocabulary or token embedding";
    /// <summary>Rows of the output layer: the vocabulary size of a language model, the label or output count otherwise.</summary>
    public int OutputSize => HeadBias.Length;
    /// <summary>Width of the first layer's input: the embedding size, or the input vector size.</summary>
    public int InputWidth => Description.Input.Size;
    public float[] Embedding { get; }
    /// <summary>The word affix table [buckets, affixes.size] (input.affixes), or empty.</summary>
    public float[] Affixes { get; }
    /// <summary>Each layer's first direction: the forward one, or a reverse layer's only one (tensors *_reverse).</summary>
    public FloatLstmLayer[] Layers { get; }
    /// <summary>Each bidirectional layer's reverse direction, or null where the layer has one direction.</summary>
    public FloatLstmLayer?[] ReverseLayers { get; }
    /// <summary>The top layer's hidden size (one direction).</summary>
    public int HiddenSize => Layers[^1].HiddenSize;
    public float[]? PoolWeight { get; }
    public float[]? PoolBias { get; }
    public float[] HeadWeight { get; }
    public float[] HeadBias { get; }
    /// <summary><see cref="HeadWeight"/> as the products read it.</summary>
    public PackedFloatMatrix PackedHead { get; }

    /// <summary>The values of one of <see cref="ModelTensors.Of"/>(Description, fusedBiases: false).</summary>
    public float[] Tensor(string name) => _tensors.TryGetValue(name, out float[]? v) ? v : throw new ArgumentException($"the model has no tensor '{name}'", nameof(name));

    public long ParameterCount
    {
        get
        {
            long count = 0;
            foreach (float[] t in _tensors.Values) count += t.LongLength;
            return count;
        }
    }

    /// <summary>The same description and metadata with every tensor passed through <paramref name="transform"/> (pruning masks).</summary>
    public FloatLstmModel WithTensors(Func<TensorSpec, float[], float[]> transform)
    {
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec spec in ModelTensors.Of(Description, fusedBiases: false)) tensors[spec.Name] = transform(spec, _tensors[spec.Name]);
        return new FloatLstmModel(Description, tensors, Metadata);
    }

    /// <summary>
    /// The same model with other (possibly narrower) forward LSTM layers and output layer: hidden-unit pruning.
    /// Forward-only encoders with a per-step head only.
    /// </summary>
    public FloatLstmModel WithWeights(FloatLstmLayer[] layers, float[] headWeight, float[] headBias)
    {
        if (!Description.IsSteppable) throw new NotSupportedException("narrowing layers is supported for forward-only models with a per-step head");
        var description = Description with { Encoder = EncoderOf(layers) };
        return new FloatLstmModel(description, TensorsOf(layers, HasEmbedding ? (float[])Embedding.Clone() : null, headWeight, headBias), Metadata);
    }

    /// <summary>A session on the vectorized float step (<see cref="FloatRecurrence"/>); needs a steppable model.</summary>
    public FloatLstmSession CreateSession() => new(this, reference: false);

    /// <summary>A session on the scalar reference (<see cref="FloatLstmReference"/>): the oracle for tests.</summary>
    public FloatLstmSession CreateReferenceSession() => new(this, reference: true);

    ILanguageModelSession ILanguageModel.CreateSession() => CreateSession();

    /// <summary>Runs whole sequences (any description: bidirectional layers, pooled heads).</summary>
    public FloatSequenceRunner CreateRunner() => new(this);

    ISequenceRunner ILanguageModel.CreateRunner() => CreateRunner();

    /// <summary>Sequence-to-sequence models: greedy and beam-search decoding of up to <paramref name="maxBeam"/> hypotheses.</summary>
    public ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam) =>
        new BeamSearchTransducer(CreateAttentionDecoder(maxBeam), Description);

    /// <summary>Sequence-to-sequence models: the decoder alone, one step of up to <paramref name="maxStreams"/> hypotheses at a time.</summary>
    public FloatAttentionDecoder CreateAttentionDecoder(int maxStreams) => new(this, maxStreams);

    /// <summary>Nothing to release: the weights are managed arrays, copied out of the file at load.</summary>
    public void Dispose()
    {
    }

    public static FloatLstmModel Load(string path) => FromSafeTensors(SafeTensorsReader.Read(path));

    /// <summary>
    /// Builds the model from a validated safetensors file: the description from its metadata (or, for older
    /// files, from the tensor shapes), then every tensor it lists, of exactly that shape. Every tensor must be one
    /// the model uses: a PyTorch file with more (a LayerNorm's weights, say) would otherwise load and run without
    /// them, giving wrong results silently. <paramref name="ignoredTensors"/> names extras known to be harmless.
    /// </summary>
    public static FloatLstmModel FromSafeTensors(SafeTensorsFile file, IReadOnlyCollection<string>? ignoredTensors = null)
    {
        ignoredTensors ??= [];
        string source = file.Source;
        ModelDescription description = DescriptionReader.Read(file);
        var specs = ModelTensors.Of(description, fusedBiases: false);
        foreach (string name in ignoredTensors)
            if (!file.Tensors.ContainsKey(name))
                throw new ModelFormatException($"{source}: tensor '{name}' is to be ignored but the file has no such tensor");
        var wanted = new HashSet<string>(specs.Select(s => s.Name), StringComparer.Ordinal);
        var unused = file.Tensors.Keys.Where(n => !wanted.Contains(n) && !ignoredTensors.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new ModelFormatException($"{source}: tensor{(unused.Count > 1 ? "s" : "")} {string.Join(", ", unused.Select(n => $"'{n}'"))} " +
                $"not used by the model the file describes ({Summary(description)}); running without them would give wrong results " +
                "(if they are harmless, `edgelstm convert --ignore-tensor NAME` drops them)");
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec spec in specs)
        {
            if (!file.Tensors.TryGetValue(spec.Name, out var info)) throw new ModelFormatException($"{source}: tensor '{spec.Name}' is missing");
            if (!info.Shape.AsSpan().SequenceEqual(spec.Shape))
                throw new ModelFormatException($"{source}: tensor '{spec.Name}' has shape {info.ShapeText}; expected {spec.ShapeText}");
            tensors[spec.Name] = file.ReadFloats(info);
        }
        return new FloatLstmModel(description, tensors, file.Metadata, source);
    }

    /// <summary>"embedding → LSTM ×2 → linear" and the like, for messages.</summary>
    internal static string Summary(ModelDescription d) =>
        $"{(d.Input.Kind == InputKinds.Tokens ? "embedding" : "input vectors")} → {string.Join(" → ", d.Encoder.Select(l => l.Kind))}" +
        $"{(d.Head.Pooling == Poolings.None ? "" : $" → {d.Head.Pooling} pooling")} → linear";
}
