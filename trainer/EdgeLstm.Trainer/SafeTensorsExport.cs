using EdgeLstm.Runtime;
using EdgeLstm.Runtime.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>Moves weights between a <see cref="LanguageModelNetwork"/> and the float safetensors exchange format.</summary>
public static class SafeTensorsExport
{
    public static void Save(LanguageModelNetwork network, ITokenizer tokenizer, string path, IReadOnlyDictionary<string, string>? extraMetadata = null) =>
        SafeTensorsWriter.Write(path, Tensors(network), Metadata(network, tokenizer, extraMetadata));

    /// <summary>The network's current weights as a runtime float model (in memory).</summary>
    public static EdgeLstm.Runtime.Float.FloatLstmModel ToFloatModel(LanguageModelNetwork network, ITokenizer tokenizer) =>
        EdgeLstm.Runtime.Float.FloatLstmModel.FromSafeTensors(
            SafeTensorsReader.Parse(SafeTensorsWriter.Serialize(Tensors(network), Metadata(network, tokenizer, null)), "network"));

    /// <summary>A module's state_dict as safetensors tensors (names unchanged).</summary>
    public static List<SafeTensorsWriter.Tensor> Tensors(nn.Module network)
    {
        // The scope holds every temporary (detach, cpu) until the copies are made: an unreferenced temporary can
        // otherwise be finalized on the GC's thread while libtorch still reads it.
        using var scope = NewDisposeScope();
        var tensors = new List<SafeTensorsWriter.Tensor>();
        foreach (var (name, value) in network.state_dict())
        {
            var cpu = value.detach().cpu().contiguous();
            tensors.Add(new SafeTensorsWriter.Tensor(name, cpu.shape, cpu.data<float>().ToArray()));
        }
        return tensors;
    }

    private static Dictionary<string, string> Metadata(LanguageModelNetwork network, ITokenizer tokenizer, IReadOnlyDictionary<string, string>? extraMetadata)
    {
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadataKeys.FormatVersion] = ModelMetadataKeys.CurrentFormatVersion,
            [ModelMetadataKeys.Model] = Description(network.Shape, tokenizer).ToJson(),
            ["edgelstm.dropout"] = network.Shape.Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (extraMetadata is not null)
            foreach (var (key, value) in extraMetadata) metadata[key] = value;
        return metadata;
    }

    /// <summary>A language model's description: tokens (characters or words) → forward LSTM layers → next-token head.</summary>
    public static ModelDescription Description(LanguageModelShape shape, ITokenizer tokenizer)
    {
        var encoder = Enumerable.Repeat(new EncoderLayerDescription { Hidden = shape.HiddenSize }, shape.Layers).ToArray();
        if (tokenizer is CharTokenizer) // the description character models have always had
            return DescriptionReader.CharLm(tokenizer.ToDescription().Vocabulary, shape.EmbeddingDim, encoder, "network", tokenizer.VocabularySize);
        return new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = shape.EmbeddingDim, Tokenizer = tokenizer.ToDescription() },
            Encoder = encoder,
            Head = new HeadDescription { Kind = HeadKinds.NextToken, Size = tokenizer.VocabularySize },
        };
    }

    /// <summary>Reads a float model file into a new network (for resuming or fine-tuning, including files written by PyTorch).</summary>
    public static (LanguageModelNetwork Network, ITokenizer Tokenizer) Load(string path, double dropout)
    {
        var file = SafeTensorsReader.Read(path);
        // Validates names, shapes and metadata exactly as the runtime does.
        var model = EdgeLstm.Runtime.Float.FloatLstmModel.FromSafeTensors(file);
        var shape = new LanguageModelShape(model.OutputSize, model.InputWidth, model.HiddenSize, model.Layers.Length, dropout);
        foreach (var layer in model.Layers)
            if (layer.HiddenSize != shape.HiddenSize)
                throw new ModelFormatException($"{file.Source}: layers of different hidden sizes are not supported by the trainer");
        var network = new LanguageModelNetwork(shape);
        using (no_grad())
        {
            foreach (var (name, parameter) in network.named_parameters())
            {
                var info = file.Tensors[name];
                using var source = tensor(file.ReadFloats(info), info.Shape);
                parameter.copy_(source);
            }
        }
        if (model.Description.Task is not (Tasks.CharLm or Tasks.WordLm))
            throw new ModelFormatException($"{file.Source}: a '{model.Description.Task}' model; the language-model trainer continues 'char-lm' and 'word-lm' models");
        return (network, model.Tokenizer);
    }
}
