using System.Text;

namespace EdgeLstm.Converter;

/// <summary>The task's metric on the validation data, of the float input and of the converted model.</summary>
/// <param name="Name">"bits/char" (language models) or "accuracy" (classifiers).</param>
/// <param name="On">What was scored, e.g. "20,000 validation characters".</param>
public sealed record QualityChange(string Name, double Float, double Converted, string On);

/// <summary>What a conversion did and what it cost: sizes, sparsity per matrix, the task's metric before and after.</summary>
public sealed record ConversionReport(
    string Input, long InputBytes, string Output, long OutputBytes, string Format,
    IReadOnlyList<(string Name, string Shape, double Sparsity)> Matrices, QualityChange? Quality, string? WeightChoice = null, string InputFormat = "float32 safetensors")
{
    public override string ToString()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(string.Create(inv, $"input:   {Input}  {InputBytes:N0} bytes ({InputFormat})"));
        s.AppendLine(string.Create(inv, $"output:  {Output}  {OutputBytes:N0} bytes ({Format}), {100.0 * OutputBytes / InputBytes:F1}% of the input"));
        if (WeightChoice is not null) s.AppendLine($"weights: {WeightChoice}");
        s.AppendLine("matrix                         shape          sparsity");
        foreach (var (name, shape, sparsity) in Matrices)
            s.AppendLine(string.Create(inv, $"  {name,-28} {shape,-14} {100 * sparsity,6:F1}%"));
        if (Quality is { } q)
            s.AppendLine(string.Create(inv, $"{q.Name} on {q.On}: float {q.Float:F4} → converted {q.Converted:F4} ({q.Converted - q.Float:+0.0000;-0.0000})"));
        else
            s.AppendLine("accuracy: not measured (pass --valid FILE)");
        return s.ToString();
    }
}
