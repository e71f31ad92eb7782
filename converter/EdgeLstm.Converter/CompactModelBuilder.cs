using System.Runtime.InteropServices;
using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Converter;

public enum WeightType
{
    F32,
    Int8,
    /// <summary>
    /// The matrices the kernels multiply as int4 (<see cref="Int4Quantizer"/>) where 32 divides their columns, the
    /// rest — embeddings, which are looked up, and narrower matrices — int8 per row; int8 activations as <see cref="Int8"/>.
    /// </summary>
    Int4,
}

/// <summary>Lays a (possibly pruned) float model out as .elstm tensors: int8 with per-row scales, int4 in groups, or float32.</summary>
public static class CompactModelBuilder
{
    /// <param name="staticHScales">Fixed h quantization scales per layer (from calibration), or null for dynamic scales.</param>
    /// <param name="weightBits">8, or 7: the matrices the kernels multiply keep |q| ≤ 63 (embeddings, which are looked up, keep 8 bits).</param>
    /// <param name="int8Tensors">With int4 weights: matrices to keep int8 all the same (by name).</param>
    public static byte[] Build(FloatLstmModel model, WeightType weights, bool blockSparse, string pruning, string source, float[]? staticHScales = null,
        int weightBits = 8, IReadOnlyCollection<string>? int8Tensors = null)
    {
        int8Tensors ??= [];
        if (int8Tensors.Count > 0 && weights != WeightType.Int4) throw new ArgumentException("tensors kept int8 are for int4 weights");
        foreach (string name in int8Tensors)
            if (!ModelTensors.Of(model.Description, fusedBiases: true).Any(s => s.Name == name && s.IsMultiplied))
                throw new ArgumentException($"--int8-tensor {name}: not a matrix the model multiplies (known: {string.Join(", ", ModelTensors.Of(model.Description, fusedBiases: true).Where(s => s.IsMultiplied).Select(s => s.Name))})");
        if (weightBits is not (7 or 8) || (weightBits == 7 && weights != WeightType.Int8))
            throw new ArgumentException($"weight bits {weightBits}: 8, or 7 with int8 weights");
        if (staticHScales is not null && (weights == WeightType.F32 || staticHScales.Length != model.Layers.Length))
            throw new ArgumentException("static activation scales need int8 or int4 weights and one scale per layer");
        if (blockSparse && weights != WeightType.Int8)
            throw new ArgumentException("the block-sparse layout is int8 only; with --dtype f32 block-pruned weights are stored dense");
        var tensors = new List<ModelFileWriter.Tensor>();
        bool int8 = weights is WeightType.Int8 or WeightType.Int4;

        void AddMatrix(string name, float[] values, int rows, int cols, bool sparse, int limit, bool int4)
        {
            if (!int8)
            {
                tensors.Add(new(name, TensorDType.F32, TensorLayout.Dense, [rows, cols], Bytes(values)));
                return;
            }
            string scaleName = ModelTensors.ScaleOf(name);
            if (int4)
            {
                var (q4, multipliers, rowScales) = Int4Quantizer.Quantize(values, rows, cols);
                tensors.Add(new(name, TensorDType.I4, TensorLayout.Int4Panels, [rows, cols], Int4Panels.Encode(q4, multipliers, rows, cols),
                    TensorQuantization.SymmetricPerRowGroup, scaleName));
                tensors.Add(new(scaleName, TensorDType.F32, TensorLayout.Dense, [rows], Bytes(rowScales)));
                return;
            }
            var (q, scales) = RowQuantizer.Quantize(values, rows, cols, limit);
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

        // Every tensor of the description, in its order: matrices quantized (prunable ones block-sparse if asked),
        // each direction's two biases fused, the rest float.
        foreach (TensorSpec spec in ModelTensors.Of(model.Description, fusedBiases: true))
        {
            if (spec.Role is TensorRole.FusedBias or TensorRole.DecoderFusedBias)
            {
                bool decoder = spec.Role == TensorRole.DecoderFusedBias;
                float[] bih = model.Tensor(decoder ? ModelTensors.DecoderBiasIh : ModelTensors.BiasIh(spec.Layer, spec.Reverse)),
                    bhh = model.Tensor(decoder ? ModelTensors.DecoderBiasHh : ModelTensors.BiasHh(spec.Layer, spec.Reverse));
                var bias = new float[bih.Length];
                for (int r = 0; r < bias.Length; r++) bias[r] = bih[r] + bhh[r];
                tensors.Add(new(spec.Name, TensorDType.F32, TensorLayout.Dense, spec.Shape, Bytes(bias)));
            }
            else if (spec.IsQuantizable)
                AddMatrix(spec.Name, model.Tensor(spec.Name), (int)spec.Shape[0], (int)spec.Shape[1], blockSparse && spec.IsPrunable,
                    weightBits == 7 && spec.IsMultiplied ? 63 : 127,
                    weights == WeightType.Int4 && spec.IsMultiplied && spec.Shape[1] % Int4Quantizer.Group == 0 && !int8Tensors.Contains(spec.Name));
            else
                tensors.Add(new(spec.Name, TensorDType.F32, TensorLayout.Dense, spec.Shape, Bytes(model.Tensor(spec.Name))));
        }
        if (staticHScales is not null)
            tensors.Add(new(ModelTensors.StaticHScales, TensorDType.F32, TensorLayout.Dense, [staticHScales.Length], Bytes(staticHScales)));

        var metadata = new CompactModelMetadata
        {
            Model = model.Description,
            Task = model.Description.Task,
            Weights = weights switch { WeightType.Int4 => CompactModelMetadata.WeightsInt4, WeightType.Int8 => CompactModelMetadata.WeightsInt8, _ => CompactModelMetadata.WeightsF32 },
            Activations = !int8 ? CompactModelMetadata.ActivationsNone
                : staticHScales is null ? CompactModelMetadata.ActivationsDynamic : CompactModelMetadata.ActivationsStatic,
            Pruning = pruning,
            WeightBits = weightBits == 8 ? null : weightBits,
            Producer = "edgelstm convert",
            ProducerVersion = typeof(CompactModelBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Source = source,
        };
        return ModelFileWriter.Serialize(metadata, tensors);
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
