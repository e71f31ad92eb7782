using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Int8;

namespace EdgeLstm.Runtime.Format;

/// <summary>Builds a runnable model from a validated .elstm file: int8 weights → <see cref="QuantizedLstmModel"/>, f32 → <see cref="FloatLstmModel"/>.</summary>
public static class CompactModelLoader
{
    public static string BiasName(int layer) => $"lstm.bias_l{layer}";
    public static string ScaleName(string tensor) => tensor + ".scale";
    public const string StaticHScalesName = "lstm.h_scales";

    public static ILanguageModel Load(string path) => Load(ModelFileReader.Read(path));

    /// <summary>
    /// Takes ownership of <paramref name="file"/>: an int8 model views its weights in place and releases the file
    /// when disposed; a float model copies them, so the file is released before this returns, as on any error.
    /// </summary>
    public static ILanguageModel Load(ModelFile file)
    {
        ILanguageModel model;
        try
        {
            model = Build(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        if (model is not QuantizedLstmModel) file.Dispose();
        return model;
    }

    private static ILanguageModel Build(ModelFile file)
    {
        string source = file.Source;
        CompactModelMetadata meta = file.Metadata;
        // JSON may carry explicit nulls even for fields that cannot be absent.
        if (meta.Task is null || meta.Vocabulary is null || meta.HiddenSizes is null || meta.Weights is null || meta.Activations is null)
            throw new ModelFormatException($"{source}: metadata fields task, vocabulary, hidden_sizes, weights and activations must not be null");
        bool sequence = meta.Task == ModelMetadataKeys.SequenceTask;
        if (!sequence && meta.Task != ModelMetadataKeys.CharLmTask)
            throw new ModelFormatException($"{source}: task '{meta.Task}' is not supported; this runtime runs '{ModelMetadataKeys.CharLmTask}' and '{ModelMetadataKeys.SequenceTask}'");
        CharTokenizer? tokenizer = null;
        int vocab = meta.VocabularySize;
        if (sequence)
        {
            // A sequence model has float input vectors: no vocabulary, no embedding; vocab_size is its output size.
            if (meta.Vocabulary.Length != 0) throw new ModelFormatException($"{source}: a '{ModelMetadataKeys.SequenceTask}' model must have an empty vocabulary");
            if (vocab is <= 0 or > 1 << 20) throw new ModelFormatException($"{source}: vocab_size (the output size) must be 1..{1 << 20}, got {vocab}");
            if (meta.EmbeddingDim is <= 0 or > 1 << 16) throw new ModelFormatException($"{source}: embedding_dim (the input size) must be 1..{1 << 16}, got {meta.EmbeddingDim}");
            if (file.Find(LstmTensorNames.EmbeddingWeight) is not null)
                throw new ModelFormatException($"{source}: a '{ModelMetadataKeys.SequenceTask}' model must not have tensor '{LstmTensorNames.EmbeddingWeight}'");
        }
        else
        {
            tokenizer = CharTokenizer.FromJson(System.Text.Json.JsonSerializer.Serialize(meta.Vocabulary, RuntimeJsonContext.Default.StringArray), source);
            if (meta.VocabularySize != tokenizer.VocabularySize)
                throw new ModelFormatException($"{source}: vocab_size {meta.VocabularySize} but the vocabulary lists {tokenizer.VocabularySize} tokens");
        }
        if (meta.HiddenSizes.Length is 0 or > 8) throw new ModelFormatException($"{source}: hidden_sizes must list 1..8 layers");
        bool int8 = meta.Weights switch
        {
            CompactModelMetadata.WeightsInt8 => true,
            CompactModelMetadata.WeightsF32 => false,
            _ => throw new ModelFormatException($"{source}: weights '{meta.Weights}' is not supported"),
        };
        if (int8 && meta.Activations is not (CompactModelMetadata.ActivationsDynamic or CompactModelMetadata.ActivationsStatic))
            throw new ModelFormatException($"{source}: activations '{meta.Activations}' is not supported for int8 weights");

        var dtype = int8 ? TensorDType.I8 : TensorDType.F32;
        TensorEntry? embedding = sequence ? null : Expect(file, LstmTensorNames.EmbeddingWeight, dtype, vocab, meta.EmbeddingDim);
        var layers = new (TensorEntry Ih, TensorEntry Hh, TensorEntry Bias)[meta.HiddenSizes.Length];
        int input = meta.EmbeddingDim;
        for (int k = 0; k < layers.Length; k++)
        {
            int hidden = meta.HiddenSizes[k];
            if (hidden <= 0) throw new ModelFormatException($"{source}: hidden_sizes[{k}] must be > 0");
            layers[k] = (Expect(file, LstmTensorNames.WeightIh(k), dtype, 4L * hidden, input),
                         Expect(file, LstmTensorNames.WeightHh(k), dtype, 4L * hidden, hidden),
                         Expect(file, BiasName(k), TensorDType.F32, 4L * hidden));
            input = hidden;
        }
        var head = Expect(file, LstmTensorNames.HeadWeight, dtype, vocab, input);
        var headBias = Expect(file, LstmTensorNames.HeadBias, TensorDType.F32, vocab);
        if (file.Find(LstmTensorNames.WeightIh(layers.Length)) is not null)
            throw new ModelFormatException($"{source}: tensor '{LstmTensorNames.WeightIh(layers.Length)}' is beyond the {layers.Length} layers in hidden_sizes");

        if (int8)
        {
            if (embedding is not null && embedding.Layout != TensorLayout.Dense) throw new ModelFormatException($"{source}: tensor '{embedding.Name}' must be dense");
            var qLayers = new QuantizedLstmLayer[layers.Length];
            for (int k = 0; k < layers.Length; k++)
                qLayers[k] = new QuantizedLstmLayer(new Int8Matrix(file, layers[k].Ih), new Int8Matrix(file, layers[k].Hh), file.Floats(layers[k].Bias).ToArray());
            float[]? hScales = null;
            if (meta.Activations == CompactModelMetadata.ActivationsStatic)
            {
                hScales = file.Floats(Expect(file, StaticHScalesName, TensorDType.F32, layers.Length)).ToArray();
                foreach (float v in hScales)
                    if (!(float.IsFinite(v) && v > 0)) throw new ModelFormatException($"{source}: tensor '{StaticHScalesName}' holds a scale that is not a positive finite number");
            }
            return new QuantizedLstmModel(file, tokenizer, embedding is null ? null : new Int8Matrix(file, embedding), meta.EmbeddingDim, qLayers,
                new Int8Matrix(file, head), file.Floats(headBias).ToArray(), hScales);
        }

        var fLayers = new FloatLstmLayer[layers.Length];
        for (int k = 0; k < layers.Length; k++)
        {
            var (ih, hh, bias) = layers[k];
            RequireDense(file, ih);
            RequireDense(file, hh);
            // The file keeps b_ih + b_hh fused; adding a zero b_hh reproduces the same sums bit for bit.
            fLayers[k] = new FloatLstmLayer((int)ih.Columns, (int)hh.Columns, file.Floats(ih).ToArray(), file.Floats(hh).ToArray(),
                file.Floats(bias).ToArray(), new float[bias.Rows]);
        }
        RequireDense(file, head);
        if (embedding is null || tokenizer is null)
            return FloatLstmModel.ForInputVectors(meta.EmbeddingDim, fLayers, file.Floats(head).ToArray(), file.Floats(headBias).ToArray());
        RequireDense(file, embedding);
        return new FloatLstmModel(tokenizer, file.Floats(embedding).ToArray(), (int)embedding.Columns, fLayers, file.Floats(head).ToArray(), file.Floats(headBias).ToArray());
    }

    private static TensorEntry Expect(ModelFile file, string name, TensorDType dtype, params long[] shape)
    {
        TensorEntry t = file.Require(name);
        if (t.DType != dtype || !t.Shape.AsSpan().SequenceEqual(shape))
            throw new ModelFormatException($"{file.Source}: tensor '{name}' is {t.DType} {t.ShapeText}; expected {dtype} [{string.Join(", ", shape)}]");
        if (dtype == TensorDType.I8 && t.Quantization != TensorQuantization.SymmetricPerRow)
            throw new ModelFormatException($"{file.Source}: tensor '{name}' is I8 without per-row scales");
        return t;
    }

    private static void RequireDense(ModelFile file, TensorEntry t)
    {
        if (t.Layout != TensorLayout.Dense) throw new ModelFormatException($"{file.Source}: f32 tensor '{t.Name}' must be dense");
    }
}
