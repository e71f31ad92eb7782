using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Forecast;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;
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
        if (File.Exists(options.Input) && ModelFileReader.HasMagic(ModelLoader.ReadPrefix(options.Input)))
            throw new ArgumentException($"{options.Input} is an .elstm file (already converted); convert reads a float safetensors model");
        var inputFile = SafeTensorsReader.Read(options.Input);
        FloatLstmModel original = FloatLstmModel.FromSafeTensors(inputFile, options.IgnoredTensors);
        FloatLstmModel pruned = options.Prune.Method switch
        {
            PruneMethod.None => original,
            PruneMethod.Units => HiddenUnitPruner.Prune(original, options.Prune.Fraction),
            _ => PruningMasks.Apply(original, PruningMasks.Compute(original, options.Prune)),
        };
        if (!options.Force && File.Exists(options.Output))
            throw new IOException($"{options.Output} exists; pass --force to overwrite it");

        if (!pruned.HasEmbedding && (options.CalibText is not null || (options.ValidText is not null && pruned.Description.Input.Series is null)))
            throw new ArgumentException($"--calib and --valid read text; {Path.GetFileName(options.Input)} is a '{ModelMetadataKeys.SequenceTask}' model (float input vectors), which has no vocabulary");
        if (options.CalibText is not null && !pruned.Description.IsSteppable)
            throw new ArgumentException($"--calib: static activation scales are for forward-only models with a per-step head; {Path.GetFileName(options.Input)} is a '{pruned.Description.Task}' model (int8 uses dynamic scales)");
        bool safetensorsOut = options.Output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        byte[] bytes;
        string format;
        if (safetensorsOut)
        {
            if (options.Weights != WeightType.F32)
                throw new ArgumentException("a .safetensors output holds float weights; pass --dtype f32 or use an .elstm output");
            bytes = SafeTensorsWriter.Serialize(FloatTensors(pruned), MetadataOf(inputFile, pruned, options.Prune));
            format = "float32 safetensors";
        }
        else
        {
            bool blockSparse = options.Prune.Method == PruneMethod.Block && options.Weights == WeightType.Int8;
            float[]? hScales = null;
            if (options.CalibText is not null)
            {
                if (options.Weights != WeightType.Int8) throw new ArgumentException("--calib sets int8 activation scales; it needs --dtype int8");
                if (!File.Exists(options.CalibText)) throw new FileNotFoundException($"{options.CalibText}: no such file", options.CalibText);
                int[] calib = pruned.Tokenizer.Encode(StrictUtf8.ReadFile(options.CalibText));
                hScales = ActivationCalibrator.HScales(pruned, calib.AsSpan(0, Math.Min(calib.Length, options.CalibChars)));
            }
            bytes = CompactModelBuilder.Build(pruned, options.Weights, blockSparse, options.Prune.ToString(), Path.GetFileName(options.Input), hScales);
            format = options.Weights == WeightType.Int8 ? (blockSparse ? "elstm int8 block-sparse 1x16" : "elstm int8") : "elstm f32";
            if (hScales is not null) format += ", static activation scales";
        }
        using ILanguageModel converted = safetensorsOut
            ? FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(bytes, Path.GetFileName(options.Output)))
            : CompactModelLoader.Load(ModelFileReader.Parse(bytes, Path.GetFileName(options.Output)));

        QualityChange? quality = options.ValidText is null ? null : Measure(original, converted, options);
        AtomicFile.WriteAllBytes(options.Output, bytes, overwrite: options.Force);
        return new ConversionReport(options.Input, inputFile.FileLength, options.Output, bytes.Length, format,
            Sparsity(converted), quality);
    }

    /// <summary>The task's metric of both models on the validation data: bits/char of a language model, accuracy of a classifier.</summary>
    private static QualityChange Measure(FloatLstmModel original, ILanguageModel converted, ConvertOptions options)
    {
        string path = options.ValidText!;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        if (original.Description.Input.Series is { } series)
        {
            var data = DailySeriesFile.Read(path);
            var (start, end) = data.Range(options.ValidFold ?? "valid", Path.GetFileName(path));
            int[] horizons = Enumerable.Range(1, series.Horizon).ToArray();
            double Mae(ILanguageModel model)
            {
                using var forecaster = new Forecaster(model);
                return ForecastEvaluator.Evaluate(forecaster, data, start, end, horizons).Average(e => e.Model!.Mae);
            }
            return new QualityChange($"MAE (mean of horizons 1..{series.Horizon})", Mae(original), Mae(converted),
                $"{end - start:N0} days of split '{options.ValidFold ?? "valid"}', rolling origin");
        }
        if (original.Description.Head.Decoder is not null)
        {
            string split = options.ValidFold ?? "valid";
            var words = PronunciationLexicon.Read(path).Where(w => w.Split == split).ToList();
            if (words.Count == 0) throw new ArgumentException($"{path}: no words in split '{split}'");
            return new QualityChange("WER % (greedy)", TransducerEvaluator.Evaluate(original, words, 1).Wer, TransducerEvaluator.Evaluate(converted, words, 1).Wer, $"{words.Count:N0} words of split '{split}'");
        }
        switch (original.Description.Head.Kind)
        {
            case HeadKinds.NextToken:
                int[] tokens = original.Tokenizer.Encode(StrictUtf8.ReadFile(path));
                if (options.EvalChars > 0 && tokens.Length > options.EvalChars) tokens = tokens[..options.EvalChars];
                bool words = original.Tokenizer is WordTokenizer;
                return new QualityChange(words ? "bits/word" : "bits/char", BitsPerCharEvaluator.Evaluate(original, tokens), BitsPerCharEvaluator.Evaluate(converted, tokens),
                    $"{tokens.Length:N0} validation {(words ? "words" : "characters")}");
            case HeadKinds.Tag when PunctuationTags.IsRestorer(original.Description):
                var lines = StrictUtf8.ReadFile(path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
                if (lines.Count == 0) throw new ArgumentException($"{path}: no lines to score");
                static double MarkF1(ClassificationMetrics m) => m.F1.AsSpan(1).ToArray().Average();
                return new QualityChange("mark F1", MarkF1(TaggerEvaluator.Evaluate(original, lines)), MarkF1(TaggerEvaluator.Evaluate(converted, lines)),
                    $"{lines.Count:N0} punctuated lines");
            case HeadKinds.Classify:
                var rows = LabeledTextFile.Read(path);
                if (options.ValidFold is { } fold) rows = rows.Where(r => r.Fold == fold).ToList();
                if (rows.Count == 0) throw new ArgumentException($"{path}: no labelled texts in fold '{options.ValidFold}'");
                return new QualityChange("accuracy", ClassifierEvaluator.Evaluate(original, rows).Accuracy, ClassifierEvaluator.Evaluate(converted, rows).Accuracy,
                    $"{rows.Count:N0} labelled texts{(options.ValidFold is null ? "" : $" (fold {options.ValidFold})")}");
            default:
                throw new ArgumentException($"--valid: no metric for a '{original.Description.Task}' model yet");
        }
    }

    private static IReadOnlyList<(string, string, double)> Sparsity(ILanguageModel model)
    {
        var rows = new List<(string, string, double)>();
        if (model is QuantizedLstmModel q)
        {
            foreach (var (name, matrix) in QuantizedMatrices(q))
                rows.Add((name, $"[{matrix.Rows}, {matrix.Columns}]", matrix.Sparsity));
        }
        else if (model is FloatLstmModel f)
        {
            foreach (var m in PrunableMatrices.Of(f))
                rows.Add((m.Name, $"[{m.Rows}, {m.Columns}]", (double)m.Values.Count(v => v == 0f) / m.Values.Length));
        }
        return rows;
    }

    /// <summary>The prunable int8 matrices of a model, by tensor name (each LSTM direction's W_ih and W_hh, the output layer).</summary>
    public static IEnumerable<(string Name, Int8Matrix Matrix)> QuantizedMatrices(QuantizedLstmModel q)
    {
        foreach (TensorSpec spec in ModelTensors.Of(q.Description, fusedBiases: true))
        {
            if (!spec.IsPrunable) continue;
            QuantizedLstmLayer? layer = spec.Layer < 0 ? null : spec.Reverse ? q.ReverseLayers[spec.Layer] : q.Layers[spec.Layer];
            yield return (spec.Name, spec.Role switch
            {
                TensorRole.WeightIh => layer!.WeightIh,
                TensorRole.WeightHh => layer!.WeightHh,
                _ => q.Head,
            });
        }
    }

    /// <summary>The model's tensors under their PyTorch names, as the float exchange format stores them.</summary>
    public static List<SafeTensorsWriter.Tensor> FloatTensors(FloatLstmModel m)
    {
        var list = new List<SafeTensorsWriter.Tensor>();
        foreach (TensorSpec spec in ModelTensors.Of(m.Description, fusedBiases: false)) list.Add(new(spec.Name, spec.Shape, m.Tensor(spec.Name)));
        return list;
    }

    private static Dictionary<string, string> MetadataOf(SafeTensorsFile input, FloatLstmModel model, PruneSpec prune)
    {
        var metadata = new Dictionary<string, string>(input.Metadata.Where(p => !p.Key.StartsWith("edgelstm.trainer.", StringComparison.Ordinal)));
        // Hidden-unit pruning narrows layers: the description written is the pruned model's.
        metadata[ModelMetadataKeys.Model] = model.Description.ToJson();
        metadata["edgelstm.pruning"] = prune.ToString();
        return metadata;
    }
}
