using System.Text.Json;
using EdgeLstm.Runtime.Inspection;

namespace EdgeLstm.Cli;

/// <summary>
/// The `edgelstm inspect` page: one self-contained HTML file (no network, scripts or fonts from outside). The data
/// go in as JSON — each layer's h as int8 (h·127) and c as int8 scaled per unit, unit-major, base64 — and a small
/// script draws the text coloured by a unit, the units that follow a regular expression, gate saturation and the
/// float/int8 drift. Elements the browser test looks for: #text .tok, #saturation circle, #drift polyline, and
/// body[data-ready] once drawn.
/// </summary>
internal static class InspectReport
{
    public sealed record Summary(string Model, string Int8, string Pattern, IReadOnlyList<UnitScore> Interesting, IReadOnlyList<UnitScore> PatternBest);

    public static string Html(TextInspectionResult r, Summary s)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", s.Model);
            json.WriteString("int8", s.Int8);
            json.WriteString("pattern", s.Pattern);
            json.WriteString("text", r.Text);
            json.WriteNumber("steps", r.Steps);
            Ints(json, "starts", r.Starts);
            Ints(json, "lengths", r.Lengths);
            Ints(json, "layers", r.Trace.HiddenSizes);
            StateTrace trace = r.Trace;
            json.WriteStartArray("h");
            foreach (float[] h in trace.H) json.WriteStringValue(Convert.ToBase64String(Quantize(h, 1, trace.Steps, perUnit: false, out _)));
            json.WriteEndArray();
            json.WriteStartArray("c");
            var scales = new List<float[]>();
            foreach (float[] c in trace.C)
            {
                json.WriteStringValue(Convert.ToBase64String(Quantize(c, c.Length / trace.Steps, trace.Steps, perUnit: true, out float[] scale)));
                scales.Add(scale);
            }
            json.WriteEndArray();
            json.WriteStartArray("cScale");
            foreach (float[] scale in scales) Floats(json, null, scale, 4);
            json.WriteEndArray();
            Units(json, "interesting", s.Interesting);
            Units(json, "patternBest", s.PatternBest);
            // saturation[layer][gate] = { low: [...], high: [...] }
            json.WriteStartArray("saturation");
            for (int layer = 0; layer < trace.HiddenSizes.Length; layer++)
            {
                json.WriteStartArray();
                for (int gate = 0; gate < StateTrace.Gates.Length; gate++)
                {
                    json.WriteStartObject();
                    json.WriteString("gate", StateTrace.Gates[gate]);
                    int n = trace.HiddenSizes[layer];
                    Floats(json, "low", Enumerable.Range(0, n).Select(u => (float)trace.LowFraction(layer, gate, u)).ToArray(), 3);
                    Floats(json, "high", Enumerable.Range(0, n).Select(u => (float)trace.HighFraction(layer, gate, u)).ToArray(), 3);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray("drift");
            foreach (float[] d in r.Drift) Floats(json, null, d, 6);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Document($"edgelstm inspect: {s.Model}", LanguageModelBody, LanguageModelScript, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>int8 of unit-major series: v·127 (h, within ±1), or v/max|v|·127 per unit (c) with the scales out.</summary>
    private static byte[] Quantize(float[] values, int units, int steps, bool perUnit, out float[] scales)
    {
        var bytes = new byte[values.Length];
        scales = new float[perUnit ? units : 0];
        for (int u = 0; u < values.Length / steps; u++)
        {
            float scale = 1;
            if (perUnit)
            {
                float max = 0;
                for (int t = 0; t < steps; t++) max = MathF.Max(max, MathF.Abs(values[u * steps + t]));
                scale = scales[u] = max > 0 ? max : 1;
            }
            for (int t = 0; t < steps; t++)
                bytes[u * steps + t] = (byte)(sbyte)Math.Clamp(MathF.Round(values[u * steps + t] / scale * 127), -127, 127);
        }
        return bytes;
    }

    private static void Ints(Utf8JsonWriter json, string name, int[] values)
    {
        json.WriteStartArray(name);
        foreach (int v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    private static void Floats(Utf8JsonWriter json, string? name, float[] values, int digits)
    {
        if (name is null) json.WriteStartArray(); else json.WriteStartArray(name);
        foreach (float v in values) json.WriteRawValue(Math.Round(v, digits).ToString("R", CultureInfo.InvariantCulture));
        json.WriteEndArray();
    }

    private static void Units(Utf8JsonWriter json, string name, IReadOnlyList<UnitScore> units)
    {
        json.WriteStartArray(name);
        foreach (UnitScore u in units)
        {
            json.WriteStartObject();
            json.WriteNumber("layer", u.Layer);
            json.WriteNumber("unit", u.Unit);
            json.WriteString("state", u.State);
            json.WriteNumber("score", Math.Round(u.Correlation, 4));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static string Document(string title, string body, string script, string data) =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + System.Net.WebUtility.HtmlEncode(title) + "</title>\n" + Style
        + "</head>\n<body>\n" + body
        // "</" cannot end the script element early: the JSON escapes it as "<\/".
        + "<script type=\"application/json\" id=\"data\">" + data.Replace("</", "<\\/") + "</script>\n<script>\n\"use strict\";\n"
        + "const D = JSON.parse(document.getElementById(\"data\").textContent);\n" + Helpers + script + "document.body.dataset.ready = \"1\";\n</script>\n</body></html>\n";

    private static readonly string Style = "<style>\n" + InspectPageAsset.Read("style.css") + "</style>\n";

    /// <summary>Shared by both pages: base64 int8 arrays, the colour scale, element building, and a text laid out as token spans.</summary>
    private static readonly string Helpers = InspectPageAsset.Read("helpers.js");

    private static readonly string LanguageModelBody = InspectPageAsset.Read("language-model.html");

    private static readonly string LanguageModelScript = InspectPageAsset.Read("language-model.js");

    /// <summary>The page for classifiers and taggers: each text's tokens coloured by their part in the decision.</summary>
    public static string DecisionsHtml(string model, IReadOnlyList<TokenDecisions> texts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteString("kind", texts[0].Contribution is null ? texts[0].IsRestorer ? "restore" : "tag" : "classify");
            json.WriteStartArray("labels");
            foreach (string label in texts[0].Labels) json.WriteStringValue(label);
            json.WriteEndArray();
            json.WriteStartArray("texts");
            foreach (TokenDecisions d in texts)
            {
                json.WriteStartObject();
                json.WriteString("text", d.Layout.Text);
                Ints(json, "starts", d.Layout.Starts);
                Ints(json, "lengths", d.Layout.Lengths);
                json.WriteNumber("predicted", d.Predicted);
                Floats(json, "probabilities", d.Probabilities, 4);
                if (d.Contribution is not null) Floats(json, "contribution", d.Contribution, 4);
                if (d.Tags is not null) Ints(json, "tags", d.Tags);
                if (d.Attention is not null) Floats(json, "attention", d.Attention, 4);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Document($"edgelstm inspect: {model}", DecisionsBody, DecisionsScript, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static readonly string DecisionsBody = InspectPageAsset.Read("decisions.html");

    private static readonly string DecisionsScript = InspectPageAsset.Read("decisions.js");
}
