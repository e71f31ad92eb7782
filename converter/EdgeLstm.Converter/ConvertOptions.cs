namespace EdgeLstm.Converter;

/// <summary>One `edgelstm convert` run.</summary>
public sealed record ConvertOptions
{
    public required string Input { get; init; }
    public required string Output { get; init; }
    /// <summary>ONNX input: the model description file (vocabulary, labels, head kind) the graph is checked against.</summary>
    public string? Description { get; init; }
    public WeightType Weights { get; init; } = WeightType.Int8;
    public PruneSpec Prune { get; init; } = PruneSpec.None;
    /// <summary>
    /// 8, or 7: the multiplied int8 matrices keep |q| ≤ 63 (recorded in the file as weight_bits; CPUs with AVX-512BW
    /// and no AVX-VNNI multiply them faster). Null (auto): with <see cref="ValidText"/>, 7 where its loss against 8
    /// is within the task metric's <see cref="TaskMetric.Tolerance"/>, else 8; without validation data, 8.
    /// </summary>
    public int? WeightBits { get; init; }
    /// <summary>With <see cref="WeightType.Int4"/>: matrices kept int8 by name (a per-tensor override).</summary>
    public IReadOnlyList<string> Int8Tensors { get; init; } = [];
    /// <summary>Validation data for the report (optional): text for a language model's bits/char, labelled texts for a classifier's accuracy.</summary>
    public string? ValidText { get; init; }
    /// <summary>Classifiers: score only the labelled texts of this fold (null = all).</summary>
    public string? ValidFold { get; init; }
    /// <summary>Score only the first N characters of the validation text (0 = all).</summary>
    public int EvalChars { get; init; } = 20_000;
    public bool Force { get; init; }
    /// <summary>Calibration text: quantize activations with fixed per-layer scales measured on it (static), instead of per step.</summary>
    public string? CalibText { get; init; }
    /// <summary>Characters of the calibration text to run.</summary>
    public int CalibChars { get; init; } = 20_000;
    /// <summary>Tensors of the input the model does not use but the user knows to be harmless (otherwise they are an error).</summary>
    public IReadOnlyList<string> IgnoredTensors { get; init; } = [];
}
