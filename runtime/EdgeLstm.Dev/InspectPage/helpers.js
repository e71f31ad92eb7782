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
