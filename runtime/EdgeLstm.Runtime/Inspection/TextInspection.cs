using System.Text.RegularExpressions;
using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Runtime.Inspection;

/// <summary>A text run through a float model and its int8 conversion, token by token.</summary>
public sealed class TextInspectionResult
{
    /// <summary>The tokens as shown (<see cref="TokenLayout"/>).</summary>
    public required TokenLayout Layout { get; init; }
    public string Text => Layout.Text;
    public int[] Starts => Layout.Starts;
    public int[] Lengths => Layout.Lengths;
    /// <summary>The float model's h and c per unit and step, and its gate saturation.</summary>
    public required StateTrace Trace { get; init; }
    /// <summary>Per layer and step: the largest |h_float − h_int8| over the layer's units.</summary>
    public required float[][] Drift { get; init; }

    public int Steps => Starts.Length;

    /// <summary>1 for each token a match of <paramref name="pattern"/> in <see cref="Text"/> covers (any part of it), else 0.</summary>
    public float[] Feature(Regex pattern)
    {
        var inside = new bool[Text.Length + 1];
        foreach (Match m in pattern.Matches(Text))
            for (int i = m.Index; i < m.Index + m.Length; i++) inside[i] = true;
        var feature = new float[Steps];
        for (int t = 0; t < Steps; t++)
            for (int i = Starts[t]; i < Starts[t] + Lengths[t]; i++)
                if (inside[i]) { feature[t] = 1; break; }
        return feature;
    }
}

/// <summary>
/// Runs a text through a float language model with a <see cref="StateTrace"/> observing every layer, and through
/// an int8 model of the same architecture in step, comparing their hidden states after every step (both sessions'
/// saved states: layer by layer, h then c).
/// </summary>
public static class TextInspection
{
    public static TextInspectionResult Run(FloatLstmModel floatModel, ILanguageModel int8Model, string text, int maxTokens)
    {
        if (!floatModel.Description.IsSteppable || !floatModel.HasEmbedding)
            throw new ArgumentException($"inspect steps a text language model; this is a '{floatModel.Description.Task}' model");
        if (int8Model.Description.Encoder.Length != floatModel.Layers.Length || !int8Model.Description.IsSteppable)
            throw new ArgumentException("the int8 model must have the float model's layers");
        ITokenizer tokenizer = floatModel.Tokenizer;
        int[] ids = tokenizer.Encode(text);
        if (ids.Length == 0) throw new ArgumentException("the text has no tokens");
        if (ids.Length > maxTokens) ids = ids[..maxTokens];

        int[] sizes = floatModel.Layers.Select(l => l.HiddenSize).ToArray();
        var trace = new StateTrace(sizes, ids.Length);
        var drift = sizes.Select(_ => new float[ids.Length]).ToArray();
        using var floatSession = floatModel.CreateSession();
        floatSession.Observer = trace;
        using var int8Session = int8Model.CreateSession();
        var a = new float[floatSession.StateLength];
        var b = new float[int8Session.StateLength];
        if (a.Length != b.Length) throw new ArgumentException("the int8 model's state differs in size from the float model's");
        for (int t = 0; t < ids.Length; t++)
        {
            floatSession.Step(ids[t]);
            int8Session.Step(ids[t]);
            floatSession.SaveState(a);
            int8Session.SaveState(b);
            int offset = 0;
            for (int k = 0; k < sizes.Length; k++)
            {
                float worst = 0;
                for (int u = 0; u < sizes[k]; u++) worst = MathF.Max(worst, MathF.Abs(a[offset + u] - b[offset + u]));
                drift[k][t] = worst;
                offset += 2 * sizes[k];
            }
        }
        return new TextInspectionResult { Layout = TokenLayout.Of(tokenizer, text, ids), Trace = trace, Drift = drift };
    }
}
