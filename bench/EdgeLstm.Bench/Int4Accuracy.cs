using System.Globalization;
using EdgeLstm.Converter;

namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench int4-accuracy [model...]`: what 4-bit weights in groups would cost each committed model, before
/// it runs (issue #31). Every multiplied matrix is quantized in groups of 32 — by <see cref="GroupQuantizer"/> (a float
/// scale per group) and by <see cref="Int4Quantizer"/> (what the runtime stores: a 6-bit integer multiplier per group
/// under a float per row), max-abs or searched — and put back as floats; the embeddings stay int8
/// per row, as an int4 file would keep them; a matrix whose columns G does not divide stays int8 per row. The float
/// model so changed is scored by the task's metric on its validation split (activations stay float: the int8
/// files show dynamic int8 activations cost next to nothing). Prints one markdown row per model.
/// </summary>
internal static class Int4Accuracy
{
    private sealed record Case(string Name, string Model, string Data, string? Fold, int EvalChars);

    private static readonly Case[] Cases =
    [
        new("moby-dick-char", "runtime/models/moby-dick-char.safetensors", ".cache/moby-dick/valid.txt", null, 20_000),
        new("sotu-word", "runtime/models/sotu-word.safetensors", ".cache/sotu-lm/valid.txt", null, 20_000),
        new("tang-poetry", "runtime/models/tang-poetry.safetensors", ".cache/poetry/tang/valid.txt", null, 20_000),
        new("sentiment", "runtime/models/sentiment.safetensors", ".cache/sentiment/sentiment.tsv", "1", 0),
        new("songci-punctuation", "runtime/models/songci-punctuation.safetensors", ".cache/poetry/songci/valid.txt", null, 0),
        new("g2p", "runtime/models/g2p.safetensors", ".cache/g2p/cmudict.tsv", null, 0),
        new("births-forecast", "runtime/models/births-forecast.safetensors", ".cache/forecast/births.csv", null, 0),
    ];

    public static void Run(string[] names)
    {
        Console.WriteLine("| model | metric (validation) | float | int8 per row | int4 G32 float scales, max-abs / searched | int4 G32 6-bit multipliers, max-abs / searched |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (Case c in Cases.Where(c => names.Length == 0 || names.Contains(c.Name)))
        {
            FloatLstmModel model = FloatLstmModel.Load(c.Model);
            TaskMetric metric = TaskMetric.For(model, c.Data, c.Fold, c.EvalChars);
            string Score(Func<TensorSpec, float[], float[]> quantize) => metric.Score(Quantized(model, quantize)).ToString("F4", CultureInfo.InvariantCulture);
            var cells = new List<string> { metric.Score(model).ToString("F4", CultureInfo.InvariantCulture), Score(Int8) };
            cells.Add($"{Score((spec, w) => Int4(spec, w, false, false))} / {Score((spec, w) => Int4(spec, w, false, true))}");
            cells.Add($"{Score((spec, w) => Int4(spec, w, true, false))} / {Score((spec, w) => Int4(spec, w, true, true))}");
            Console.WriteLine($"| {c.Name} | {metric.Name}, {metric.On} | {string.Join(" | ", cells)} |");
        }
    }

    /// <summary>The model with every quantizable matrix replaced by what <paramref name="quantize"/> makes of it.</summary>
    private static FloatLstmModel Quantized(FloatLstmModel model, Func<TensorSpec, float[], float[]> quantize)
    {
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (TensorSpec spec in ModelTensors.Of(model.Description, fusedBiases: false))
            tensors[spec.Name] = spec.IsQuantizable ? quantize(spec, model.Tensor(spec.Name)) : model.Tensor(spec.Name);
        return new FloatLstmModel(model.Description, tensors, model.Metadata);
    }

    private static float[] Int8(TensorSpec spec, float[] w)
    {
        int rows = (int)spec.Shape[0], cols = (int)spec.Shape[1];
        var (q, scales) = RowQuantizer.Quantize(w, rows, cols);
        var back = new float[w.Length];
        for (int i = 0; i < w.Length; i++) back[i] = q[i] * scales[i / cols];
        return back;
    }

    private static float[] Int4(TensorSpec spec, float[] w, bool multipliers, bool search)
    {
        int rows = (int)spec.Shape[0], cols = (int)spec.Shape[1];
        if (!spec.IsMultiplied || cols % Int4Quantizer.Group != 0) return Int8(spec, w);
        if (multipliers)
        {
            var (q4, m, s) = Int4Quantizer.Quantize(w, rows, cols, search);
            return Int4Quantizer.Dequantize(q4, m, s, rows, cols);
        }
        var (q, scales) = GroupQuantizer.Quantize(w, rows, cols, Int4Quantizer.Group, search);
        return GroupQuantizer.Dequantize(q, scales, rows, cols, Int4Quantizer.Group);
    }
}
