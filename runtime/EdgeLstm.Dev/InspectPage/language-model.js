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
