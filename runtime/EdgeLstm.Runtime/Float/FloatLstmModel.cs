using EdgeLstm.Runtime.SafeTensors;
using static EdgeLstm.Runtime.LstmTensorNames;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// A float32 character LSTM: embedding [V, E] → stacked LSTM layers → linear head [V, H] + bias.
/// Immutable once loaded; any number of <see cref="FloatLstmSession"/>s may share it.
/// </summary>
public sealed class FloatLstmModel : ILanguageModel
{
    public FloatLstmModel(CharTokenizer tokenizer, float[] embedding, int embeddingDim, FloatLstmLayer[] layers, float[] headWeight, float[] headBias,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Tokenizer = tokenizer;
        Embedding = embedding;
        EmbeddingDim = embeddingDim;
        Layers = layers;
        HeadWeight = headWeight;
        HeadBias = headBias;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public CharTokenizer Tokenizer { get; }
    public int VocabularySize => Tokenizer.VocabularySize;
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

    public FloatLstmSession CreateSession() => new(this);

    ILanguageModelSession ILanguageModel.CreateSession() => CreateSession();

    public static FloatLstmModel Load(string path) => FromSafeTensors(SafeTensorsReader.Read(path));

    /// <summary>Builds the model from a validated safetensors file; the architecture is read off the tensor shapes.</summary>
    public static FloatLstmModel FromSafeTensors(SafeTensorsFile file)
    {
        string source = file.Source;
        if (file.Metadata.TryGetValue(ModelMetadataKeys.FormatVersion, out string? version) && version.Split('.')[0] != ModelMetadataKeys.CurrentFormatVersion)
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.FormatVersion}' is {version}; this runtime reads version {ModelMetadataKeys.CurrentFormatVersion}");
        if (file.Metadata.TryGetValue(ModelMetadataKeys.Task, out string? task) && task != ModelMetadataKeys.CharLmTask)
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Task}' is '{task}'; the float runtime runs '{ModelMetadataKeys.CharLmTask}' models");
        if (!file.Metadata.TryGetValue(ModelMetadataKeys.Vocabulary, out string? vocabJson))
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Vocabulary}' (the vocabulary) is missing");
        CharTokenizer tokenizer = CharTokenizer.FromJson(vocabJson, source);
        int vocab = tokenizer.VocabularySize;

        var embeddingInfo = Require(file, EmbeddingWeight);
        RequireRank(embeddingInfo, 2, source);
        if (embeddingInfo.Shape[0] != vocab)
            throw new ModelFormatException($"{source}: tensor '{EmbeddingWeight}' has {embeddingInfo.Shape[0]} rows; the vocabulary has {vocab} tokens");
        int embeddingDim = checked((int)embeddingInfo.Shape[1]);

        int layerCount = 0;
        while (file.Tensors.ContainsKey(WeightIh(layerCount))) layerCount++;
        if (layerCount == 0)
            throw new ModelFormatException($"{source}: tensor '{WeightIh(0)}' is missing; expected PyTorch nn.LSTM names under 'lstm.'");
        foreach (string name in file.Tensors.Keys)
            if (name.StartsWith("lstm.", StringComparison.Ordinal) && !IsLayerTensor(name, layerCount))
                throw new ModelFormatException($"{source}: tensor '{name}' is not supported (only unidirectional, projection-free nn.LSTM with biases)");

        var layers = new FloatLstmLayer[layerCount];
        int inputSize = embeddingDim;
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

        var headWeight = Require(file, LstmTensorNames.HeadWeight);
        RequireShape(headWeight, [vocab, hidden], source);
        var headBias = Require(file, LstmTensorNames.HeadBias);
        RequireShape(headBias, [vocab], source);

        return new FloatLstmModel(tokenizer, file.ReadFloats(embeddingInfo), embeddingDim, layers,
            file.ReadFloats(headWeight), file.ReadFloats(headBias), file.Metadata);
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
