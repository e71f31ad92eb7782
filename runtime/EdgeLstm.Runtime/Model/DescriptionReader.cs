using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Runtime;

/// <summary>
/// Reads a file's model description, for every reader of either format: the stored one (safetensors key
/// <c>edgelstm.model</c>, .elstm field <c>model</c>, validated), or, for files written before the description
/// existed, the one their old fields imply:
/// "char-lm" = character tokens → forward LSTM layers → next-token head; "sequence" = float vectors → forward
/// LSTM layers → a regression head at every step.
/// </summary>
public static class DescriptionReader
{
    public static ModelDescription Read(CompactModelMetadata meta, string source)
    {
        if (meta.Model is { } stored)
        {
            stored.Validate(source);
            return stored;
        }
        if (meta.Task is null || meta.Vocabulary is null || meta.HiddenSizes is null)
            throw new ModelFormatException($"{source}: metadata has neither a model description nor the fields task, vocabulary and hidden_sizes");
        if (meta.HiddenSizes.Length is 0 or > 8) throw new ModelFormatException($"{source}: hidden_sizes must list 1..8 layers");
        foreach (var (k, hidden) in meta.HiddenSizes.Index())
            if (hidden <= 0) throw new ModelFormatException($"{source}: hidden_sizes[{k}] must be > 0");
        var encoder = Array.ConvertAll(meta.HiddenSizes, h => new EncoderLayerDescription { Hidden = h });
        ModelDescription description = meta.Task switch
        {
            Tasks.CharLm => CharLm(meta.Vocabulary, meta.EmbeddingDim ?? 0, encoder, source, meta.VocabularySize ?? -1),
            Tasks.Sequence when meta.Vocabulary.Length != 0 =>
                throw new ModelFormatException($"{source}: a '{Tasks.Sequence}' model must have an empty vocabulary"),
            Tasks.Sequence => Sequence(meta.EmbeddingDim ?? 0, encoder, meta.VocabularySize ?? 0),
            _ => throw new ModelFormatException($"{source}: task '{meta.Task}' is not supported; this runtime runs '{Tasks.CharLm}' and '{Tasks.Sequence}' files and files with a model description"),
        };
        description.Validate(source);
        return description;
    }

    public static ModelDescription Read(SafeTensorsFile file)
    {
        string source = file.Source;
        if (file.Metadata.TryGetValue(ModelMetadataKeys.FormatVersion, out string? version) && version.Split('.')[0] != ModelMetadataKeys.CurrentFormatVersion)
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.FormatVersion}' is {version}; this runtime reads version {ModelMetadataKeys.CurrentFormatVersion}");
        if (file.Metadata.TryGetValue(ModelMetadataKeys.Model, out string? json)) return ModelDescription.FromJson(json, source);

        string task = file.Metadata.GetValueOrDefault(ModelMetadataKeys.Task, Tasks.CharLm);
        if (task is not (Tasks.CharLm or Tasks.Sequence))
            throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Task}' is '{task}' without a model description ('{ModelMetadataKeys.Model}'); expected '{Tasks.CharLm}' or '{Tasks.Sequence}'");
        // The architecture is read off the tensor shapes, as before descriptions existed.
        int layers = 0;
        while (file.Tensors.ContainsKey(ModelTensors.WeightIh(layers))) layers++;
        if (layers == 0) throw new ModelFormatException($"{source}: tensor '{ModelTensors.WeightIh(0)}' is missing; expected PyTorch nn.LSTM names under 'lstm.'");
        var encoder = new EncoderLayerDescription[layers];
        for (int k = 0; k < layers; k++)
        {
            var wih = file.Tensors[ModelTensors.WeightIh(k)];
            if (wih.Shape.Length != 2 || wih.Shape[0] % 4 != 0 || wih.Shape[0] == 0)
                throw new ModelFormatException($"{source}: tensor '{wih.Name}' has shape {wih.ShapeText}; expected [4 × hidden size, input size]");
            encoder[k] = new EncoderLayerDescription { Hidden = checked((int)(wih.Shape[0] / 4)) };
        }
        var head = file.Tensors.GetValueOrDefault(ModelTensors.HeadWeight)
            ?? throw new ModelFormatException($"{source}: tensor '{ModelTensors.HeadWeight}' is missing");
        if (head.Shape.Length != 2) throw new ModelFormatException($"{source}: tensor '{head.Name}' has shape {head.ShapeText}; expected 2 dimensions");
        ModelDescription description;
        if (task == Tasks.Sequence)
        {
            if (file.Tensors.ContainsKey(ModelTensors.EmbeddingWeight))
                throw new ModelFormatException($"{source}: a '{Tasks.Sequence}' model reads float input vectors; tensor '{ModelTensors.EmbeddingWeight}' must not be present");
            var first = file.Tensors[ModelTensors.WeightIh(0)];
            description = Sequence(checked((int)first.Shape[1]), encoder, checked((int)head.Shape[0]));
        }
        else
        {
            if (!file.Metadata.TryGetValue(ModelMetadataKeys.Vocabulary, out string? vocabJson))
                throw new ModelFormatException($"{source}: metadata '{ModelMetadataKeys.Vocabulary}' (the vocabulary) is missing");
            CharTokenizer tokenizer = CharTokenizer.FromJson(vocabJson, source);
            var embedding = file.Tensors.GetValueOrDefault(ModelTensors.EmbeddingWeight)
                ?? throw new ModelFormatException($"{source}: tensor '{ModelTensors.EmbeddingWeight}' is missing");
            if (embedding.Shape.Length != 2) throw new ModelFormatException($"{source}: tensor '{embedding.Name}' has shape {embedding.ShapeText}; expected 2 dimensions");
            if (embedding.Shape[0] != tokenizer.VocabularySize)
                throw new ModelFormatException($"{source}: tensor '{ModelTensors.EmbeddingWeight}' has {embedding.Shape[0]} rows; the vocabulary has {tokenizer.VocabularySize} tokens");
            description = CharLm(tokenizer.ToDescription().Vocabulary, checked((int)embedding.Shape[1]), encoder, source, tokenizer.VocabularySize);
        }
        description.Validate(source);
        return description;
    }

    /// <summary>A character language model's description (what the trainer's char-lm command writes).</summary>
    public static ModelDescription CharLm(string[] vocabulary, int embeddingDim, EncoderLayerDescription[] encoder, string source, int vocabularySize)
    {
        if (vocabularySize != vocabulary.Length)
            throw new ModelFormatException($"{source}: vocab_size {vocabularySize} but the vocabulary lists {vocabulary.Length} tokens");
        return new ModelDescription
        {
            Input = new InputDescription
            {
                Kind = InputKinds.Tokens, Size = embeddingDim,
                Tokenizer = new TokenizerDescription { Kind = TokenizerKinds.Char, Vocabulary = vocabulary },
            },
            Encoder = encoder,
            Head = new HeadDescription { Kind = HeadKinds.NextToken, Size = vocabulary.Length },
        };
    }

    /// <summary>Float vectors in, a regression head at every step.</summary>
    public static ModelDescription Sequence(int inputSize, EncoderLayerDescription[] encoder, int outputs) => new()
    {
        Input = new InputDescription { Kind = InputKinds.Vectors, Size = inputSize },
        Encoder = encoder,
        Head = new HeadDescription { Kind = HeadKinds.Regress, Size = outputs },
    };
}
