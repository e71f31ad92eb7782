using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Trainer;

/// <summary>Writes a trained <see cref="ClassifierNetwork"/> (classifier or, with pooling none, tagger) as float safetensors with its model description.</summary>
public static class ClassifierExport
{
    public static ModelDescription Description(ClassifierShape shape, ITokenizer tokenizer, string[] labels) => new()
    {
        Input = new InputDescription { Kind = InputKinds.Tokens, Size = shape.EmbeddingDim, Tokenizer = tokenizer.ToDescription(), MaxSteps = shape.MaxTokens },
        Encoder = Enumerable.Range(0, shape.Layers).Select(_ => new EncoderLayerDescription { Hidden = shape.HiddenSize, Bidirectional = shape.Bidirectional }).ToArray(),
        Head = new HeadDescription { Kind = shape.Pooling == Poolings.None ? HeadKinds.Tag : HeadKinds.Classify, Pooling = shape.Pooling, Size = labels.Length, Labels = labels },
    };

    public static byte[] Serialize(ClassifierNetwork network, ITokenizer tokenizer, string[] labels, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadataKeys.FormatVersion] = ModelMetadataKeys.CurrentFormatVersion,
            [ModelMetadataKeys.Model] = Description(network.Shape, tokenizer, labels).ToJson(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) metadata[key] = value;
        return SafeTensorsWriter.Serialize(SafeTensorsExport.Tensors(network), metadata);
    }

    public static void Save(string path, ClassifierNetwork network, ITokenizer tokenizer, string[] labels, IReadOnlyDictionary<string, string>? extra = null) =>
        AtomicFile.WriteAllBytes(path, Serialize(network, tokenizer, labels, extra));

    /// <summary>The network as the runtime loads it (validated exactly as a file would be).</summary>
    public static FloatLstmModel ToFloatModel(ClassifierNetwork network, ITokenizer tokenizer, string[] labels) =>
        FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(Serialize(network, tokenizer, labels), "network"));
}
