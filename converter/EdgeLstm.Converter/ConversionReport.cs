using System.Globalization;
using System.Text;

namespace EdgeLstm.Converter;

/// <summary>What a conversion did and what it cost: sizes, sparsity per matrix, bits/char before and after.</summary>
public sealed record ConversionReport(
    string Input, long InputBytes, string Output, long OutputBytes, string Format,
    IReadOnlyList<(string Name, string Shape, double Sparsity)> Matrices,
    double? FloatBitsPerChar, double? ConvertedBitsPerChar, int EvalChars)
{
    public override string ToString()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(string.Create(inv, $"input:   {Input}  {InputBytes:N0} bytes (float32 safetensors)"));
        s.AppendLine(string.Create(inv, $"output:  {Output}  {OutputBytes:N0} bytes ({Format}), {100.0 * OutputBytes / InputBytes:F1}% of the input"));
        s.AppendLine("matrix                     shape          sparsity");
        foreach (var (name, shape, sparsity) in Matrices)
            s.AppendLine(string.Create(inv, $"  {name,-24} {shape,-14} {100 * sparsity,6:F1}%"));
        if (FloatBitsPerChar is double f && ConvertedBitsPerChar is double c)
            s.AppendLine(string.Create(inv, $"bits/char on {EvalChars:N0} validation characters: float {f:F4} → converted {c:F4} ({c - f:+0.0000;-0.0000})"));
        else
            s.AppendLine("bits/char: not measured (pass --valid FILE)");
        return s.ToString();
    }
}
