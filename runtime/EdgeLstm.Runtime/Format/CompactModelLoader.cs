using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Int8;

namespace EdgeLstm.Runtime.Format;

/// <summary>Builds a runnable model from a validated .elstm file: int8 weights → <see cref="QuantizedLstmModel"/>, f32 → <see cref="FloatLstmModel"/>.</summary>
public static class CompactModelLoader
{

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
        if (meta.Weights is null || meta.Activations is null)
            throw new ModelFormatException($"{source}: metadata fields weights and activations must not be null");
        ModelDescription description = DescriptionReader.Read(meta, source);
        CharacterEncoders.ThrowIfPresent(description, source);
        bool int8 = meta.Weights switch
        {
            CompactModelMetadata.WeightsInt8 or CompactModelMetadata.WeightsInt4 => true,
            CompactModelMetadata.WeightsF32 => false,
            _ => throw new ModelFormatException($"{source}: weights '{meta.Weights}' is not supported"),
        };
        if (int8 && meta.Activations is not (CompactModelMetadata.ActivationsDynamic or CompactModelMetadata.ActivationsStatic))
            throw new ModelFormatException($"{source}: activations '{meta.Activations}' is not supported for int8 weights");
        bool staticScales = int8 && meta.Activations == CompactModelMetadata.ActivationsStatic;
        if (staticScales && !description.IsSteppable)
            throw new ModelFormatException($"{source}: static activation scales are supported for forward-only models with a per-step head");

        // Every tensor the description lists, of its shape; int8 (or int4) where quantizable, float otherwise; nothing else.
        var specs = ModelTensors.Of(description, fusedBiases: true);
        var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        foreach (TensorSpec spec in specs)
        {
            // Matrices the kernels multiply may be int4 (per tensor); embeddings, which are looked up, stay int8.
            TensorDType dtype = !int8 || !spec.IsQuantizable ? TensorDType.F32
                : spec.IsMultiplied && file.Find(spec.Name)?.DType == TensorDType.I4 ? TensorDType.I4 : TensorDType.I8;
            entries[spec.Name] = Expect(file, spec.Name, dtype, spec.Shape);
        }
        // The values themselves are checked when a 7-bit kernel first runs the model (QuantizedLstmModel.CheckSevenBitWeights):
        // only those kernels depend on them, and reading every weight here would make each load read the whole file.
        if (meta.WeightBits is { } bits && (bits != 7 || !int8))
            throw new ModelFormatException($"{source}: metadata weight_bits is {bits}; expected 7 (with int8 weights) or no field");
        var known = new HashSet<string>(entries.Keys, StringComparer.Ordinal);
        if (staticScales) known.Add(ModelTensors.StaticHScales);
        foreach (TensorEntry t in file.Tensors)
            if (!known.Contains(t.Name) && !(t.DType == TensorDType.F32 && ModelTensors.MatrixOfScale(t.Name) is { } matrix && known.Contains(matrix)))
                throw new ModelFormatException($"{source}: tensor '{t.Name}' is not part of the model the file describes ({FloatLstmModel.Summary(description)})");

        int layerCount = description.Encoder.Length;
        if (int8)
        {
            entries.TryGetValue(ModelTensors.EmbeddingWeight, out var embedding);
            entries.TryGetValue(ModelTensors.AffixWeight, out var affixes);
            foreach (TensorEntry? looked in (TensorEntry?[])[embedding, affixes])
                if (looked is not null && looked.Layout != TensorLayout.Dense) throw new ModelFormatException($"{source}: tensor '{looked.Name}' must be dense");
            QuantizedLstmLayer QLayer(int k, bool reverse) => new(new QuantizedMatrix(file, entries[ModelTensors.WeightIh(k, reverse)]),
                new QuantizedMatrix(file, entries[ModelTensors.WeightHh(k, reverse)]), file.Floats(entries[ModelTensors.FusedBias(k, reverse)]).ToArray());
            var qLayers = new QuantizedLstmLayer[layerCount];
            var qReverse = new QuantizedLstmLayer?[layerCount];
            for (int k = 0; k < layerCount; k++)
            {
                qLayers[k] = QLayer(k, description.Encoder[k].Reverse);
                if (description.Encoder[k].Bidirectional) qReverse[k] = QLayer(k, true);
            }
            float[]? hScales = null;
            if (staticScales)
            {
                hScales = file.Floats(Expect(file, ModelTensors.StaticHScales, TensorDType.F32, layerCount)).ToArray();
                foreach (float v in hScales)
                    if (!(float.IsFinite(v) && v > 0)) throw new ModelFormatException($"{source}: tensor '{ModelTensors.StaticHScales}' holds a scale that is not a positive finite number");
            }
            QuantizedDecoder? decoder = description.Head.Decoder is null ? null : new QuantizedDecoder(
                new QuantizedMatrix(file, entries[ModelTensors.BridgeWeight]), file.Floats(entries[ModelTensors.BridgeBias]).ToArray(),
                new QuantizedMatrix(file, entries[ModelTensors.DecoderEmbedding]),
                new QuantizedLstmLayer(new QuantizedMatrix(file, entries[ModelTensors.DecoderWeightIh]), new QuantizedMatrix(file, entries[ModelTensors.DecoderWeightHh]),
                    file.Floats(entries[ModelTensors.DecoderFusedBias]).ToArray()),
                new QuantizedMatrix(file, entries[ModelTensors.AttentionWeight]), new QuantizedMatrix(file, entries[ModelTensors.AttentionOutWeight]));
            return new QuantizedLstmModel(file, description, embedding is null ? null : new QuantizedMatrix(file, embedding), qLayers, qReverse,
                FloatsOrNull(file, entries, ModelTensors.PoolWeight), FloatsOrNull(file, entries, ModelTensors.PoolBias),
                new QuantizedMatrix(file, entries[ModelTensors.HeadWeight]), file.Floats(entries[ModelTensors.HeadBias]).ToArray(), hScales, decoder,
                affixes is null ? null : new QuantizedMatrix(file, affixes));
        }

        // f32: PyTorch's two biases from the fused one; adding a zero b_hh reproduces the same sums bit for bit.
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec spec in specs)
        {
            TensorEntry entry = entries[spec.Name];
            RequireDense(file, entry);
            if (spec.Role == TensorRole.FusedBias)
            {
                tensors[ModelTensors.BiasIh(spec.Layer, spec.Reverse)] = file.Floats(entry).ToArray();
                tensors[ModelTensors.BiasHh(spec.Layer, spec.Reverse)] = new float[entry.Rows];
            }
            else if (spec.Role == TensorRole.DecoderFusedBias)
            {
                tensors[ModelTensors.DecoderBiasIh] = file.Floats(entry).ToArray();
                tensors[ModelTensors.DecoderBiasHh] = new float[entry.Rows];
            }
            else
                tensors[spec.Name] = file.Floats(entry).ToArray();
        }
        return new FloatLstmModel(description, tensors, null, source);
    }

    private static float[]? FloatsOrNull(ModelFile file, Dictionary<string, TensorEntry> entries, string name) =>
        entries.TryGetValue(name, out var entry) ? file.Floats(entry).ToArray() : null;

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
