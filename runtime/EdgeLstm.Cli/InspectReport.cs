using System.Globalization;
using System.Text;
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

    private const string Style = """
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1150px; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.text { font-family: monospace; white-space: pre-wrap; line-height: 1.7; border: 1px solid #ddd; padding: .6em; max-height: 28em; overflow: auto; }
.tok { border-radius: 2px; }
.units button { margin: 2px; font: 12px monospace; cursor: pointer; }
.note { color: #666; font-size: 12px; }
svg text { font: 11px sans-serif; fill: #444; }
.legend span { display: inline-block; width: .9em; height: .9em; margin: 0 .3em 0 1em; vertical-align: middle; }
</style>
""";

    /// <summary>Shared by both pages: base64 int8 arrays, the colour scale, element building, and a text laid out as token spans.</summary>
    private const string Helpers = """
const decode = b64 => { const s = atob(b64), a = new Int8Array(s.length); for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i) << 24 >> 24; return a; };
function colour(v) { const a = Math.min(1, Math.abs(v)).toFixed(2); return v >= 0 ? `rgba(214,39,40,${a})` : `rgba(31,119,180,${a})`; }
const NS = "http://www.w3.org/2000/svg";
function el(tag, attrs, parent) { const e = tag.startsWith("svg:") ? document.createElementNS(NS, tag.slice(4)) : document.createElement(tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (parent) parent.appendChild(e); return e; }
function tokens(box, L) {
  box.textContent = "";
  const spans = [];
  let at = 0;
  for (let t = 0; t < L.starts.length; t++) {
    if (L.starts[t] > at) box.appendChild(document.createTextNode(L.text.slice(at, L.starts[t])));
    const s = el("span", { class: "tok", title: "step " + t }, box);
    s.textContent = L.text.substr(L.starts[t], L.lengths[t]);
    spans.push(s);
    at = L.starts[t] + L.lengths[t];
  }
  return spans;
}
""";

    private const string LanguageModelBody = """
<h1 id="title"></h1>
<p class="note" id="about"></p>
<h2>The text, coloured by one unit</h2>
<div>layer <select id="layer"></select> unit <input id="unit" type="number" min="0" value="0" style="width:5em">
state <label><input type="radio" name="state" value="c" checked> cell c</label> <label><input type="radio" name="state" value="h"> hidden h</label>
<span class="legend"><span style="background:#1f77b4"></span>negative <span style="background:#d62728"></span>positive</span></div>
<p class="note">Most active units first (standard deviation over the text): <span class="units" id="interesting"></span></p>
<div class="text" id="text"></div>
<h2>Units that follow a pattern</h2>
<div>regular expression <input id="pattern" size="40"> <button id="find">rank units</button> <span class="note" id="covered"></span></div>
<p class="note">Pearson correlation of each unit's c and h with 1 on the characters the pattern covers, 0 elsewhere; click one to colour the text by it.</p>
<div class="units" id="best"></div>
<h2>Gate saturation</h2>
<p class="note">Each dot is one unit's gate: the fraction of steps it is left-saturated (&lt; 0.1) against right-saturated (&gt; 0.9). Karpathy, Johnson and Fei-Fei (2015) plot the same.</p>
<div id="saturation"></div>
<h2>Float against int8</h2>
<p class="note" id="driftAbout"></p>
<div id="drift"></div>
<div class="text" id="driftText"></div>
""";

    private const string LanguageModelScript = """
const T = D.steps;
const H = D.h.map(decode), C = D.c.map(decode);
// A unit's series, scaled to [-1, 1] for colouring (h is within ±1; c is divided by the unit's largest |c|).
function series(layer, unit, state) { const a = (state === "h" ? H : C)[layer], out = new Float32Array(T); for (let t = 0; t < T; t++) out[t] = a[unit * T + t] / 127; return out; }
const textSpans = tokens(document.getElementById("text"), D);
const layerSelect = document.getElementById("layer"), unitInput = document.getElementById("unit");
D.layers.forEach((n, k) => { const o = el("option", { value: k }, layerSelect); o.textContent = `${k} (${n} units)`; });
function state() { return document.querySelector("input[name=state]:checked").value; }
function paint() {
  const layer = +layerSelect.value, unit = Math.max(0, Math.min(D.layers[layer] - 1, +unitInput.value || 0));
  const v = series(layer, unit, state());
  for (let t = 0; t < T; t++) { textSpans[t].style.background = colour(v[t]); textSpans[t].title = `step ${t}: ${v[t].toFixed(2)}`; }
}
function pick(u) { layerSelect.value = u.layer; unitInput.value = u.unit; document.querySelector(`input[name=state][value=${u.state}]`).checked = true; paint(); }
function unitButtons(box, units, label) { box.textContent = ""; for (const u of units) { const b = el("button", {}, box); b.textContent = label(u); b.onclick = () => pick(u); } }
layerSelect.onchange = unitInput.oninput = paint;
document.querySelectorAll("input[name=state]").forEach(r => r.onchange = paint);
unitButtons(document.getElementById("interesting"), D.interesting, u => `L${u.layer}/${u.unit} ${u.state} σ ${u.score.toFixed(2)}`);

// Pattern: which characters a match covers, then the correlation of every unit's c and h with it.
const patternInput = document.getElementById("pattern");
patternInput.value = D.pattern;
function rank() {
  let re;
  try { re = new RegExp(patternInput.value, "g"); } catch (e) { document.getElementById("covered").textContent = "not a regular expression: " + e.message; return; }
  const inside = new Uint8Array(D.text.length + 1);
  for (const m of D.text.matchAll(re)) { if (m[0].length === 0) continue; for (let i = m.index; i < m.index + m[0].length; i++) inside[i] = 1; }
  const f = new Float32Array(T);
  for (let t = 0; t < T; t++) for (let i = D.starts[t]; i < D.starts[t] + D.lengths[t]; i++) if (inside[i]) { f[t] = 1; break; }
  let fm = 0; for (let t = 0; t < T; t++) fm += f[t]; const covered = fm; fm /= T;
  let fss = 0; for (let t = 0; t < T; t++) fss += (f[t] - fm) ** 2;
  document.getElementById("covered").textContent = `${covered} of ${T} tokens covered`;
  const scores = [];
  D.layers.forEach((n, layer) => { for (let unit = 0; unit < n; unit++) for (const st of ["c", "h"]) {
    const a = (st === "h" ? H : C)[layer]; let m = 0; for (let t = 0; t < T; t++) m += a[unit * T + t]; m /= T;
    let sxy = 0, sxx = 0; for (let t = 0; t < T; t++) { const d = a[unit * T + t] - m; sxy += d * (f[t] - fm); sxx += d * d; }
    scores.push({ layer, unit, state: st, score: sxx === 0 || fss === 0 ? 0 : sxy / Math.sqrt(sxx * fss) });
  } });
  scores.sort((x, y) => Math.abs(y.score) - Math.abs(x.score));
  unitButtons(document.getElementById("best"), scores.slice(0, 12), u => `L${u.layer}/${u.unit} ${u.state} r ${u.score.toFixed(3)}`);
  if (scores.length) pick(scores[0]);
}
document.getElementById("find").onclick = rank;

// Gate saturation: one scatter per layer.
const gateColours = { input: "#1f77b4", forget: "#ff7f0e", output: "#2ca02c" };
D.saturation.forEach((gates, layer) => {
  const size = 300, pad = 36, svg = el("svg:svg", { width: size + pad + 10, height: size + pad + 24, "data-layer": layer }, document.getElementById("saturation"));
  const x = v => pad + v * size, y = v => 10 + (1 - v) * size;
  el("svg:rect", { x: pad, y: 10, width: size, height: size, fill: "none", stroke: "#999" }, svg);
  el("svg:line", { x1: x(0), y1: y(1), x2: x(1), y2: y(0), stroke: "#ccc" }, svg);
  for (const g of gates) for (let u = 0; u < g.low.length; u++)
    el("svg:circle", { cx: x(g.low[u]).toFixed(1), cy: y(g.high[u]).toFixed(1), r: 2.2, fill: gateColours[g.gate], "fill-opacity": 0.5 }, svg);
  const label = (t, a) => { const e = el("svg:text", a, svg); e.textContent = t; };
  label(`layer ${layer}: left-saturated (< 0.1) →`, { x: pad, y: size + 28 });
  label("right-saturated (> 0.9) →", { x: 12, y: size + 8, transform: `rotate(-90 12 ${size + 8})` });
});
const legend = el("div", { class: "legend note" }, document.getElementById("saturation"));
for (const g in gateColours) legend.insertAdjacentHTML("beforeend", `<span style="background:${gateColours[g]}"></span>${g} gate`);

// Drift: per layer, the largest |h_float − h_int8| at each step; the text under it coloured by the worst layer.
const driftBox = document.getElementById("drift"), w = 1100, hgt = 60 * D.layers.length + 20;
const svg = el("svg:svg", { width: w, height: hgt }, driftBox);
const most = Math.max(1e-9, ...D.drift.map(d => Math.max(...d)));
D.drift.forEach((d, k) => {
  const top = 10 + 60 * k, pts = [];
  for (let t = 0; t < T; t++) pts.push(`${(40 + t * (w - 50) / Math.max(1, T - 1)).toFixed(1)},${(top + 50 - d[t] / most * 48).toFixed(1)}`);
  el("svg:polyline", { points: pts.join(" "), fill: "none", stroke: ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"][k % 4] }, svg);
  const e = el("svg:text", { x: 0, y: top + 30 }, svg); e.textContent = "layer " + k;
});
const worst = new Float32Array(T); D.drift.forEach(d => { for (let t = 0; t < T; t++) worst[t] = Math.max(worst[t], d[t]); });
document.getElementById("driftAbout").textContent = `Largest |h_float − h_int8| over each layer's units at every step (${D.int8}); the plot's top is ${most.toPrecision(3)}. ` +
  `Mean over steps and layers ${(D.drift.flat().reduce((a, b) => a + b, 0) / (T * D.layers.length)).toPrecision(3)}. Below, the text coloured by the worst layer's drift.`;
tokens(document.getElementById("driftText"), D).forEach((s, t) => { s.style.background = `rgba(214,39,40,${(worst[t] / most).toFixed(2)})`; s.title = `step ${t}: ${worst[t].toPrecision(3)}`; });

document.getElementById("title").textContent = `edgelstm inspect: ${D.model}`;
document.getElementById("about").textContent = `${T} tokens; layers of ${D.layers.join(", ")} units; int8: ${D.int8}. Hover a character for its step and value.`;
if (D.interesting.length) pick(D.interesting[0]);
rank();
""";

    /// <summary>The page for classifiers and taggers: each text's tokens coloured by their part in the decision.</summary>
    public static string DecisionsHtml(string model, IReadOnlyList<TokenDecisions> texts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteString("kind", texts[0].Contribution is null ? "tag" : "classify");
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
                if (d.Attention is not null) Floats(json, "attention", d.Attention, 4);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Document($"edgelstm inspect: {model}", DecisionsBody, DecisionsScript, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private const string DecisionsBody = """
<h1 id="title"></h1>
<p class="note" id="about"></p>
<div id="texts"></div>

""";

    private const string DecisionsScript = """
const L = D.labels.length, box = document.getElementById("texts");
const pct = p => (100 * p).toFixed(1) + "%";
// Classifier: red tokens speak for the predicted label, blue against it (the probability it loses or gains without them).
const most = D.kind === "classify" ? Math.max(1e-6, ...D.texts.flatMap(x => x.contribution.map(Math.abs))) : 1;
D.texts.forEach((x, i) => {
  const block = el("div", { class: "case" }, box), head = el("h2", {}, block);
  const text = el("div", { class: "text" }, block), spans = tokens(text, x);
  if (D.kind === "classify") {
    head.textContent = `text ${i + 1}: ${D.labels[x.predicted]} (${pct(x.probabilities[x.predicted])})`;
    el("p", { class: "note" }, block).textContent = D.labels.map((l, k) => `${l} ${pct(x.probabilities[k])}`).join(", ");
    spans.forEach((s, t) => { s.style.background = colour(x.contribution[t] / most); s.title = `without this token ${D.labels[x.predicted]} ${x.contribution[t] >= 0 ? "falls" : "rises"} by ${pct(Math.abs(x.contribution[t]))}`; });
    if (x.attention) { // the pooling's own weights, beside the leave-one-out parts
      el("p", { class: "note" }, block).textContent = "The attention pooling's weight on each token:";
      const top = Math.max(...x.attention);
      tokens(el("div", { class: "text attention" }, block), x).forEach((s, t) => { s.style.background = colour(x.attention[t] / top); s.title = `attention ${pct(x.attention[t])}`; });
    }
  } else {
    head.textContent = `text ${i + 1}`;
    spans.forEach((s, t) => {
      const p = x.probabilities.slice(t * L, t * L + L), best = p.indexOf(Math.max(...p));
      s.style.background = colour(1 - p[0]);
      s.title = D.labels.map((l, k) => `${l} ${pct(p[k])}`).join(", ");
      if (best !== 0) el("sup", { class: "label" }, s).textContent = D.labels[best];
    });
  }
});
document.getElementById("title").textContent = `edgelstm inspect: ${D.model}`;
document.getElementById("about").textContent = D.kind === "classify"
  ? `Each token coloured by its part in the decision: how much the predicted label's probability falls (red) or rises (blue) when the token is left out. Hover a token for the number.`
  : `Each token coloured by the probability that it takes a label other than '${D.labels[0]}'; the most likely label is written after it when it is not '${D.labels[0]}'. Hover a token for every label's probability.`;

""";
}
