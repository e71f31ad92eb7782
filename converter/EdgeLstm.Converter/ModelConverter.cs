using EdgeLstm.Runtime.Forecast;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Converter;

/// <summary>
/// Float safetensors in → pruned and quantized model out. An output ending in .safetensors gets the pruned
/// float model (for fine-tuning); anything else gets the .elstm format. The output is written to a temporary
/// file and renamed, and an existing file is kept unless <see cref="ConvertOptions.Force"/>.
/// </summary>
public static class ModelConverter
{
    public static ConversionReport Convert(ConvertOptions options)
    {
        if (File.Exists(options.Input) && ModelLoader.IsCompactFile(options.Input))
            throw new ArgumentException($"{options.Input} is an .elstm file (already converted); convert reads a float safetensors model");
        var input = FloatModelInput.Read(options);
        FloatLstmModel original = input.Model;
        if (!options.Force && File.Exists(options.Output))
            throw new IOException($"{options.Output} exists; pass --force to overwrite it");
        bool safetensorsOut = options.Output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        TaskMetric? metric = options.ValidText is null ? null : TaskMetric.For(original, options.ValidText, options.ValidFold, options.EvalChars);
        var (bytes, format) = Build(original, input.Metadata, options, safetensorsOut);
        double? score = null;
        string? weightChoice = null;
        if (options.WeightBits is null && options.Weights == WeightType.Int8 && !safetensorsOut)
        {
            if (metric is null) weightChoice = "8-bit (--weight-bits auto tries 7-bit weights only with --valid)";
            else
            {
                var (seven, sevenFormat) = Build(original, input.Metadata, options with { WeightBits = 7 }, safetensorsOut);
                double eight = ScoreCompact(metric, bytes, options.Output), withSeven = ScoreCompact(metric, seven, options.Output);
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                if (metric.WithinTolerance(eight, withSeven))
                {
                    (bytes, format, score) = (seven, sevenFormat, withSeven);
                    weightChoice = string.Create(inv, $"7-bit (auto: {metric.Name} {withSeven:F4} against {eight:F4} with 8-bit weights, within {metric.ToleranceText})");
                }
                else
                {
                    score = eight;
                    weightChoice = string.Create(inv, $"8-bit (auto: 7-bit weights would give {metric.Name} {withSeven:F4} against {eight:F4}, more than {metric.ToleranceText} worse)");
                }
            }
        }
        using ILanguageModel converted = safetensorsOut
            ? FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(bytes, Path.GetFileName(options.Output)))
            : CompactModelLoader.Load(ModelFileReader.Parse(bytes, Path.GetFileName(options.Output)));

        QualityChange? quality = metric is null ? null : new QualityChange(metric.Name, metric.Score(original), score ?? metric.Score(converted), metric.On);
        AtomicFile.WriteAllBytes(options.Output, bytes, overwrite: options.Force);
        return new ConversionReport(options.Input, input.FileLength, options.Output, bytes.Length, format,
            Sparsity(converted), quality, weightChoice, input.Format);
    }

    private static double ScoreCompact(TaskMetric metric, byte[] bytes, string name)
    {
        using ILanguageModel model = CompactModelLoader.Load(ModelFileReader.Parse(bytes, Path.GetFileName(name)));
        return metric.Score(model);
    }

    /// <summary>The converted file's bytes and a name of its format: <paramref name="original"/> pruned by options.Prune, then quantized (or float) as options say.</summary>
    public static (byte[] Bytes, string Format) Build(FloatLstmModel original, SafeTensorsFile inputFile, ConvertOptions options, bool safetensorsOut) =>
        Build(original, inputFile.Metadata, options, safetensorsOut);

    /// <param name="inputMetadata">The input's metadata, copied into a .safetensors output.</param>
    public static (byte[] Bytes, string Format) Build(FloatLstmModel original, IReadOnlyDictionary<string, string> inputMetadata, ConvertOptions options, bool safetensorsOut)
    {
        FloatLstmModel pruned = options.Prune.Method switch
        {
            PruneMethod.None => original,
            PruneMethod.Units => HiddenUnitPruner.Prune(original, options.Prune.Fraction),
            _ => PruningMasks.Apply(original, PruningMasks.Compute(original, options.Prune)),
        };

        if (!pruned.HasEmbedding && (options.CalibText is not null || (options.ValidText is not null && pruned.Description.Kind != ModelTask.Forecaster)))
            throw new ArgumentException($"--calib and --valid read text; {Path.GetFileName(options.Input)} is a '{Tasks.Sequence}' model (float input vectors), which has no vocabulary");
        if (options.CalibText is not null && !pruned.Description.IsSteppable)
            throw new ArgumentException($"--calib: static activation scales are for forward-only models with a per-step head; {Path.GetFileName(options.Input)} is a '{pruned.Description.Task}' model (int8 uses dynamic scales)");
        byte[] bytes;
        string format;
        if (safetensorsOut)
        {
            if (options.Weights != WeightType.F32)
                throw new ArgumentException("a .safetensors output holds float weights; pass --dtype f32 or use an .elstm output");
            bytes = SafeTensorsWriter.Serialize(FloatTensors(pruned), MetadataOf(inputMetadata, pruned, options.Prune));
            format = "float32 safetensors";
        }
        else
        {
            bool blockSparse = options.Prune.Method == PruneMethod.Block && options.Weights == WeightType.Int8;
            float[]? hScales = null;
            if (options.CalibText is not null)
            {
                if (options.Weights == WeightType.F32) throw new ArgumentException("--calib sets int8 activation scales; it needs --dtype int8 or int4");
                if (!File.Exists(options.CalibText)) throw new FileNotFoundException($"{options.CalibText}: no such file", options.CalibText);
                int[] calib = pruned.Tokenizer.Encode(StrictUtf8.ReadFile(options.CalibText));
                hScales = ActivationCalibrator.HScales(pruned, calib.AsSpan(0, Math.Min(calib.Length, options.CalibChars)));
            }
            int bits = options.Weights == WeightType.Int8 ? options.WeightBits ?? 8 : 8;
            if (options.Weights == WeightType.Int4 && !ModelTensors.Of(pruned.Description, fusedBiases: true).Any(s =>
                    s.IsMultiplied && s.Shape[1] % Int4Quantizer.Group == 0 && !options.Int8Tensors.Contains(s.Name)))
                throw new ArgumentException($"--dtype int4: no matrix of {Path.GetFileName(options.Input)} has a column count that 32 divides (or all are kept int8), so the file would be int8");
            bytes = CompactModelBuilder.Build(pruned, options.Weights, blockSparse, options.Prune.ToString(), Path.GetFileName(options.Input), hScales, bits,
                options.Int8Tensors);
            format = options.Weights switch
            {
                WeightType.Int8 => blockSparse ? "elstm int8 block-sparse 1x16" : "elstm int8",
                // Pruned weights stay in place as zeros: the block-sparse layout is int8 only.
                WeightType.Int4 => "elstm int4 (groups of 32)" + (options.Prune.Method == PruneMethod.None ? "" : ", pruned weights stored as zeros"),
                _ => "elstm f32",
            };
            if (bits == 7) format += ", 7-bit weights";
            if (hScales is not null) format += ", static activation scales";
        }
        return (bytes, format);
    }

    private static IReadOnlyList<(string, string, double)> Sparsity(ILanguageModel model)
    {
        var rows = new List<(string, string, double)>();
        if (model is QuantizedLstmModel q)
        {
            foreach (var (name, matrix) in q.PrunableMatrices())
                rows.Add((name, $"[{matrix.Rows}, {matrix.Columns}]", matrix.Sparsity));
        }
        else if (model is FloatLstmModel f)
        {
            foreach (var m in PrunableMatrices.Of(f))
                rows.Add((m.Name, $"[{m.Rows}, {m.Columns}]", (double)m.Values.Count(v => v == 0f) / m.Values.Length));
        }
        return rows;
    }

    /// <summary>The model's tensors under their PyTorch names, as the float exchange format stores them.</summary>
    public static List<SafeTensorsWriter.Tensor> FloatTensors(FloatLstmModel m)
    {
        var list = new List<SafeTensorsWriter.Tensor>();
        foreach (TensorSpec spec in ModelTensors.Of(m.Description, fusedBiases: false)) list.Add(new(spec.Name, spec.Shape, m.Tensor(spec.Name)));
        return list;
    }

    private static Dictionary<string, string> MetadataOf(IReadOnlyDictionary<string, string> input, FloatLstmModel model, PruneSpec prune)
    {
        var metadata = new Dictionary<string, string>(input.Where(p => !p.Key.StartsWith("edgelstm.trainer.", StringComparison.Ordinal)));
        // Hidden-unit pruning narrows layers: the description written is the pruned model's.
        metadata[ModelMetadataKeys.Model] = model.Description.ToJson();
        metadata["edgelstm.pruning"] = prune.ToString();
        return metadata;
    }
}
