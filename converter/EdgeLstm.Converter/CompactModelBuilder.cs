using System.Runtime.InteropServices;
using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Converter;

public enum WeightType
{
    F32,
    Int8,
}

/// <summary>Lays a (possibly pruned) float model out as .elstm tensors: int8 with per-row scales, or float32.</summary>
public static class CompactModelBuilder
{
    /// <param name="staticHScales">Fixed h quantization scales per layer (from calibration), or null for dynamic scales.</param>
    public static byte[] Build(FloatLstmModel model, WeightType weights, bool blockSparse, string pruning, string source, float[]? staticHScales = null)
    {
        if (staticHScales is not null && (weights != WeightType.Int8 || staticHScales.Length != model.Layers.Length))
            throw new ArgumentException("static activation scales need int8 weights and one scale per layer");
        if (blockSparse && weights != WeightType.Int8)
            throw new ArgumentException("the block-sparse layout is int8 only; with --dtype f32 block-pruned weights are stored dense");
        var tensors = new List<ModelFileWriter.Tensor>();
        bool int8 = weights == WeightType.Int8;

        void AddMatrix(string name, float[] values, int rows, int cols, bool sparse)
        {
            if (!int8)
            {
                tensors.Add(new(name, TensorDType.F32, TensorLayout.Dense, [rows, cols], Bytes(values)));
                return;
            }
            var (q, scales) = RowQuantizer.Quantize(values, rows, cols);
            string scaleName = CompactModelLoader.ScaleName(name);
            if (sparse)
            {
                var (data, blocks) = BlockSparseLayout.Encode(q, rows, cols);
                tensors.Add(new(name, TensorDType.I8, TensorLayout.BlockSparse16Aligned, [rows, cols], data, TensorQuantization.SymmetricPerRow, scaleName, blocks));
            }
            else
            {
                tensors.Add(new(name, TensorDType.I8, TensorLayout.Dense, [rows, cols], MemoryMarshal.AsBytes(q.AsSpan()).ToArray(), TensorQuantization.SymmetricPerRow, scaleName));
            }
            tensors.Add(new(scaleName, TensorDType.F32, TensorLayout.Dense, [rows], Bytes(scales)));
        }

        if (model.HasEmbedding) AddMatrix(LstmTensorNames.EmbeddingWeight, model.Embedding, model.VocabularySize, model.EmbeddingDim, sparse: false);
        for (int k = 0; k < model.Layers.Length; k++)
        {
            FloatLstmLayer l = model.Layers[k];
            AddMatrix(LstmTensorNames.WeightIh(k), l.WeightIh, 4 * l.HiddenSize, l.InputSize, blockSparse);
            AddMatrix(LstmTensorNames.WeightHh(k), l.WeightHh, 4 * l.HiddenSize, l.HiddenSize, blockSparse);
            var bias = new float[4 * l.HiddenSize];
            for (int r = 0; r < bias.Length; r++) bias[r] = l.BiasIh[r] + l.BiasHh[r];
            tensors.Add(new(CompactModelLoader.BiasName(k), TensorDType.F32, TensorLayout.Dense, [bias.Length], Bytes(bias)));
        }
        AddMatrix(LstmTensorNames.HeadWeight, model.HeadWeight, model.VocabularySize, model.HiddenSize, blockSparse);
        tensors.Add(new(LstmTensorNames.HeadBias, TensorDType.F32, TensorLayout.Dense, [model.VocabularySize], Bytes(model.HeadBias)));
        if (staticHScales is not null)
            tensors.Add(new(CompactModelLoader.StaticHScalesName, TensorDType.F32, TensorLayout.Dense, [staticHScales.Length], Bytes(staticHScales)));

        // A sequence model (float input vectors) has no vocabulary; its vocab_size is the output size.
        var vocabulary = new string[model.HasEmbedding ? model.VocabularySize : 0];
        for (int i = 0; i < vocabulary.Length; i++) vocabulary[i] = model.Tokenizer.GetRune(i).ToString();
        var metadata = new CompactModelMetadata
        {
            Task = model.HasEmbedding ? ModelMetadataKeys.CharLmTask : ModelMetadataKeys.SequenceTask,
            VocabularySize = model.VocabularySize,
            EmbeddingDim = model.EmbeddingDim,
            HiddenSizes = Array.ConvertAll(model.Layers, l => l.HiddenSize),
            Vocabulary = vocabulary,
            Weights = int8 ? CompactModelMetadata.WeightsInt8 : CompactModelMetadata.WeightsF32,
            Activations = !int8 ? CompactModelMetadata.ActivationsNone
                : staticHScales is null ? CompactModelMetadata.ActivationsDynamic : CompactModelMetadata.ActivationsStatic,
            Pruning = pruning,
            Producer = "edgelstm convert",
            ProducerVersion = typeof(CompactModelBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Source = source,
        };
        return ModelFileWriter.Serialize(metadata, tensors);
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
