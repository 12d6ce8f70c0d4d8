// Client page: that client's sets, newest first, and how the score has moved.
import {cueLabel, el, getJSON, when} from "/static/common.js";

const client = decodeURIComponent(location.pathname.split("/")[2]);
const $ = (id) => document.getElementById(id);
$("title").textContent = client;
document.title = `formcheck · ${client}`;
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function drawTrend(sets) {
  const scored = sets.filter((set) => set.summary && set.summary.score !== null).reverse();
  if (scored.length < 2) return;
  const chart = $("trend");
  const [w, h, pad] = [600, 180, 28];
  const x = (i) => pad + (i * (w - 2 * pad)) / (scored.length - 1);
  const y = (score) => h - pad - (score / 100) * (h - 2 * pad);
  for (const level of [0, 50, 100]) {
    chart.append(svg("line", {class: "grid", x1: pad, x2: w - pad, y1: y(level), y2: y(level)}));
    const label = svg("text", {x: 2, y: y(level) + 4});
    label.textContent = level;
    chart.append(label);
  }
  const points = scored.map((set, i) => `${x(i)},${y(set.summary.score)}`).join(" ");
  chart.append(svg("polyline", {class: "line", points}));
  scored.forEach((set, i) => chart.append(svg("circle", {class: "dot", cx: x(i), cy: y(set.summary.score), r: 4})));
  $("trends").hidden = false;
}

getJSON(`/api/clients/${encodeURIComponent(client)}/sets`).then(({sets}) => {
  const rows = sets.map((set) => {
    const summary = set.summary || {};
    const status = set.status === "done" ? el("a", {href: set.links.page}, "report")
      : set.status === "failed" ? el("span", {class: "muted"}, set.error || "failed") : el("span", {}, set.status);
    return el("tr", {},
      el("td", {}, when(set.created)),
      el("td", {}, summary.rep_count ?? "–"),
      el("td", {}, summary.score ?? "–"),
      el("td", {}, (summary.cues || []).map(cueLabel).join(", ") || (set.status === "done" ? "none" : "")),
      el("td", {}, status));
  });
  $("sets").replaceChildren(...rows);
  if (rows.length === 0) $("sets").append(el("tr", {}, el("td", {colspan: 5, class: "muted"}, "No sets yet.")));
  drawTrend(sets);
}).catch((error) => { $("error").textContent = error.message; $("error").hidden = false; });
