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
  } else if (D.kind === "restore") {
    head.textContent = `text ${i + 1}`;
    spans.forEach((s, t) => {
      const p = x.probabilities.slice(t * L, t * L + L);
      s.style.background = colour(1 - p[0]);
      s.title = D.labels.map((l, k) => `${l} ${pct(p[k])}`).join(", ");
      if (x.tags[t] !== 0) el("sup", { class: "label" }, s).textContent = D.labels[x.tags[t]];
    });
  } else {
    // A word tagger: every token's label, the token red as far as the model doubts it (1 − its label's probability).
    head.textContent = `text ${i + 1}`;
    spans.forEach((s, t) => {
      const p = x.probabilities.slice(t * L, t * L + L), tag = x.tags[t];
      s.style.background = colour(1 - p[tag]);
      const top = p.map((v, k) => [v, k]).sort((a, b) => b[0] - a[0]).slice(0, 3);
      s.title = top.map(([v, k]) => `${D.labels[k]} ${pct(v)}`).join(", ");
      el("sup", { class: "label" }, s).textContent = D.labels[tag];
    });
  }
});
document.getElementById("title").textContent = `edgelstm inspect: ${D.model}`;
document.getElementById("about").textContent = D.kind === "classify"
  ? `Each token coloured by its part in the decision: how much the predicted label's probability falls (red) or rises (blue) when the token is left out. Hover a token for the number.`
  : D.kind === "restore"
  ? `Each token coloured by the probability that it takes a label other than '${D.labels[0]}'; the label the tagger gives is written after it when it is not '${D.labels[0]}'. Hover a token for every label's probability.`
  : `Each token with the label the tagger gives it (with a CRF, the best path over the whole text), coloured by the model's doubt: 1 − that label's probability from the token's own scores. Hover a token for its three most likely labels.`;
