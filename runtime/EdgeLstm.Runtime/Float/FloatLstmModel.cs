using EdgeLstm.Runtime.SafeTensors;
using static EdgeLstm.Runtime.LstmTensorNames;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float32 LSTM: embedding [V, E] → stacked LSTM layers → linear head [V, H] + bias (a character model,
/// task "char-lm"), or, with no embedding and no vocabulary, float input vectors [E] → LSTM layers → head
/// outputs (task "sequence": time series, regression). Immutable once loaded; any number of
/// <see cref="FloatLstmSession"/>s may share it.
/// </summary>
public sealed class FloatLstmModel : ILanguageModel
{
    private readonly CharTokenizer? _tokenizer;

    public FloatLstmModel(CharTokenizer tokenizer, float[] embedding, int embeddingDim, FloatLstmLayer[] layers, float[] headWeight, float[] headBias,
        IReadOnlyDictionary<string, string>? metadata = null)
        : this(layers, tokenizer, embedding, embeddingDim, headWeight, headBias, metadata)
    {
    }

    private FloatLstmModel(FloatLstmLayer[] layers, CharTokenizer? tokenizer, float[] embedding, int embeddingDim, float[] headWeight, float[] headBias,
        IReadOnlyDictionary<string, string>? metadata)
    {
        _tokenizer = tokenizer;
        Embedding = embedding;
        EmbeddingDim = embeddingDim;
        Layers = layers;
        HeadWeight = headWeight;
        HeadBias = headBias;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    /// <summary>A model over float input vectors of <paramref name="inputSize"/> (task "sequence"): no embedding, no vocabulary.</summary>
    public static FloatLstmModel ForInputVectors(int inputSize, FloatLstmLayer[] layers, float[] headWeight, float[] headBias,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        new(layers, null, [], inputSize, headWeight, headBias, metadata);

    /// <summary>False for "sequence" models, which take float input vectors (<see cref="FloatLstmSession.StepInput"/>).</summary>
    public bool HasEmbedding => _tokenizer is not null;
    public CharTokenizer Tokenizer => _tokenizer ?? throw new NotSupportedException(NoVocabularyMessage);
    internal const string NoVocabularyMessage = "this model reads float input vectors (task 'sequence'): it has no vocabulary or token embedding";
    /// <summary>Rows of the output layer: the vocabulary size of a character model, the output size of a sequence model.</summary>
    public int VocabularySize => HeadBias.Length;
    /// <summary>Width of the first layer's input: the embedding size, or a sequence model's input vector size.</summary>
    public int EmbeddingDim { get; }
    public float[] Embedding { get; }
    public FloatLstmLayer[] Layers { get; }
    public int HiddenSize => Layers[^1].HiddenSize;
    public float[] HeadWeight { get; }
    public float[] HeadBias { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public long ParameterCount
    {
        get
        {
            long count = Embedding.LongLength + HeadWeight.LongLength + HeadBias.LongLength;
            foreach (var layer in Layers) count += layer.ParameterCount;
            return count;
        }
    }

    /// <summary>The same model (vocabulary, embedding, metadata) with other LSTM and output-layer weights: pruning uses this.</summary>
    public FloatLstmModel WithWeights(FloatLstmLayer[] layers, float[] headWeight, float[] headBias) =>
        new(layers, _tokenizer, (float[])Embedding.Clone(), EmbeddingDim, headWeight, headBias, Metadata);

    /// <summary>A session on the vectorized float step (<see cref="FloatLstmVectorStep"/>).</summary>
    public FloatLstmSession CreateSession() => new(this, reference: false);

    /// <summary>A session on the scalar reference (<see cref="FloatLstmReference"/>): the oracle for tests.</summary>
    public FloatLstmSession CreateReferenceSession() => new(this, reference: true);

    ILanguageModelSession ILanguageModel.CreateSession() => CreateSession();

    /// <summary>Nothing to release: the weights are managed arrays, copied out of the file at load.</summary>
    public void Dispose()
    {
    }

    public static FloatLstmModel Load(string path) => FromSafeTensors(SafeTensorsReader.Read(path));

    /// <summary>
    /// Builds the model from a validated safetensors file; the architecture is read off the tensor shapes. Every
    /// tensor must be one the model uses: a PyTorch file with more (a LayerNorm's weights, say) would otherwise load
    /// and run without them, giving wrong results silently. <paramref name="ignoredTensors"/> names extras the
    /// caller knows to be harmless.
    /// </summary>
    public static FloatLstmModel FromSafeTensors(SafeTensorsFile file, IReadOnlyCollection<string>? ignoredTensors = null)
    {
        var model = Build(file);
        RejectUnusedTensors(file, model.Layers.Length, model.HasEmbedding, ignoredTensors ?? []);
        return model;
    }

    private static void RejectUnusedTensors(SafeTensorsFile file, int layers, bool hasEmbedding, IReadOnlyCollection<string> ignored)
    {
        foreach (string name in ignored)
            if (!file.Tensors.ContainsKey(name))
                throw new ModelFormatException($"{file.Source}: tensor '{name}' is to be ignored but the file has no such tensor");
        var unused = new List<string>();
        foreach (string name in file.Tensors.Keys)
        {
            bool used = name is LstmTensorNames.HeadWeight or LstmTensorNames.HeadBias
                || (hasEmbedding && name == EmbeddingWeight) || IsLayerTensor(name, layers);
            if (!used && !ignored.Contains(name)) unused.Add(name);
        }
        if (unused.Count == 0) return;
        unused.Sort(StringComparer.Ordinal);
        throw new ModelFormatException($"{file.Source}: tensor{(unused.Count > 1 ? "s" : "")} {string.Join(", ", unused.Select(n => $"'{n}'"))} " +
            "not used by an embedding → LSTM → linear model; running without them would give wrong results (if they are harmless, `edgelstm convert --ignore-tensor NAME` drops them)");
    }

    private static FloatLstmModel Build(SafeTensorsFile file)
    {
        string source = file.Source;
        if (file.Metadata.TryGetValue(ModelMetadataKeys.FormatVersion, out string? version) && version.Split('.')[0] != ModelMetadataKeys.CurrentFormatVersion)
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.FormatVersion}' is {version}; this runtime reads version {ModelMetadataKeys.CurrentFormatVersion}");
        bool sequence = false;
        if (file.Metadata.TryGetValue(ModelMetadataKeys.Task, out string? task))
        {
            sequence = task == ModelMetadataKeys.SequenceTask;
            if (!sequence && task != ModelMetadataKeys.CharLmTask)
                throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Task}' is '{task}'; expected '{ModelMetadataKeys.CharLmTask}' or '{ModelMetadataKeys.SequenceTask}'");
        }
        if (sequence) return SequenceFromSafeTensors(file);
        if (!file.Metadata.TryGetValue(ModelMetadataKeys.Vocabulary, out string? vocabJson))
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Vocabulary}' (the vocabulary) is missing");
        CharTokenizer tokenizer = CharTokenizer.FromJson(vocabJson, source);
        int vocab = tokenizer.VocabularySize;

        var embeddingInfo = Require(file, EmbeddingWeight);
        RequireRank(embeddingInfo, 2, source);
        if (embeddingInfo.Shape[0] != vocab)
            throw new ModelFormatException($"{source}: tensor '{EmbeddingWeight}' has {embeddingInfo.Shape[0]} rows; the vocabulary has {vocab} tokens");
        int embeddingDim = checked((int)embeddingInfo.Shape[1]);
        var (layers, hidden) = ReadLayers(file, embeddingDim);
        var headWeight = Require(file, LstmTensorNames.HeadWeight);
        RequireShape(headWeight, [vocab, hidden], source);
        var headBias = Require(file, LstmTensorNames.HeadBias);
        RequireShape(headBias, [vocab], source);
        return new FloatLstmModel(tokenizer, file.ReadFloats(embeddingInfo), embeddingDim, layers,
            file.ReadFloats(headWeight), file.ReadFloats(headBias), file.Metadata);
    }

    /// <summary>A "sequence" model: nn.LSTM + nn.Linear, no embedding; the sizes are read off the tensor shapes.</summary>
    private static FloatLstmModel SequenceFromSafeTensors(SafeTensorsFile file)
    {
        string source = file.Source;
        if (file.Tensors.ContainsKey(EmbeddingWeight))
            throw new ModelFormatException($"{source}: a '{ModelMetadataKeys.SequenceTask}' model reads float input vectors; tensor '{EmbeddingWeight}' must not be present");
        var first = Require(file, WeightIh(0));
        RequireRank(first, 2, source);
        var (layers, hidden) = ReadLayers(file, checked((int)first.Shape[1]));
        var headWeight = Require(file, LstmTensorNames.HeadWeight);
        RequireRank(headWeight, 2, source);
        int outputs = checked((int)headWeight.Shape[0]);
        RequireShape(headWeight, [outputs, hidden], source);
        var headBias = Require(file, LstmTensorNames.HeadBias);
        RequireShape(headBias, [outputs], source);
        return ForInputVectors(layers[0].InputSize, layers, file.ReadFloats(headWeight), file.ReadFloats(headBias), file.Metadata);
    }

    /// <summary>The nn.LSTM layers under 'lstm.', validated; the first takes <paramref name="inputSize"/> inputs.</summary>
    private static (FloatLstmLayer[] Layers, int Hidden) ReadLayers(SafeTensorsFile file, int inputSize)
    {
        string source = file.Source;
        int layerCount = 0;
        while (file.Tensors.ContainsKey(WeightIh(layerCount))) layerCount++;
        if (layerCount == 0)
            throw new ModelFormatException($"{source}: tensor '{WeightIh(0)}' is missing; expected PyTorch nn.LSTM names under 'lstm.'");
        foreach (string name in file.Tensors.Keys)
            if (name.StartsWith("lstm.", StringComparison.Ordinal) && !IsLayerTensor(name, layerCount))
                throw new ModelFormatException($"{source}: tensor '{name}' is not supported (only unidirectional, projection-free nn.LSTM with biases)");

        var layers = new FloatLstmLayer[layerCount];
        int hidden = 0;
        for (int k = 0; k < layerCount; k++)
        {
            var wih = Require(file, WeightIh(k));
            RequireRank(wih, 2, source);
            if (wih.Shape[0] % 4 != 0 || wih.Shape[0] == 0)
                throw new ModelFormatException($"{source}: tensor '{wih.Name}' has {wih.Shape[0]} rows; expected 4 × hidden size");
            hidden = checked((int)(wih.Shape[0] / 4));
            RequireShape(wih, [4L * hidden, inputSize], source);
            var whh = Require(file, WeightHh(k));
            RequireShape(whh, [4L * hidden, hidden], source);
            var bih = Require(file, BiasIh(k));
            RequireShape(bih, [4L * hidden], source);
            var bhh = Require(file, BiasHh(k));
            RequireShape(bhh, [4L * hidden], source);
            layers[k] = new FloatLstmLayer(inputSize, hidden, file.ReadFloats(wih), file.ReadFloats(whh), file.ReadFloats(bih), file.ReadFloats(bhh));
            inputSize = hidden;
        }
        return (layers, hidden);
    }

    private static bool IsLayerTensor(string name, int layerCount)
    {
        for (int k = 0; k < layerCount; k++)
            if (name == WeightIh(k) || name == WeightHh(k) || name == BiasIh(k) || name == BiasHh(k))
                return true;
        return false;
    }

    private static SafeTensorInfo Require(SafeTensorsFile file, string name) =>
        file.Tensors.TryGetValue(name, out var info) ? info : throw new ModelFormatException($"{file.Source}: tensor '{name}' is missing");

    private static void RequireRank(SafeTensorInfo info, int rank, string source)
    {
        if (info.Shape.Length != rank)
            throw new ModelFormatException($"{source}: tensor '{info.Name}' has shape {info.ShapeText}; expected {rank} dimensions");
    }

    private static void RequireShape(SafeTensorInfo info, long[] expected, string source)
    {
        if (!info.Shape.AsSpan().SequenceEqual(expected))
            throw new ModelFormatException($"{source}: tensor '{info.Name}' has shape {info.ShapeText}; expected [{string.Join(", ", expected)}]");
    }
}
