// Client page: that client's sets from the history (newest first, each linking to its report), the uploads
// still in the works, and the trends `formcheck history` draws (the same plots, rendered by the server).
import {cueLabel, el, getJSON} from "/static/common.js";

const client = decodeURIComponent(location.pathname.split("/")[2]);
const $ = (id) => document.getElementById(id);
$("title").textContent = client;
document.title = `formcheck · ${client}`;

const number = (value, digits = 0, unit = "") => (value === null || value === undefined ? "–" : `${value.toFixed(digits)}${unit}`);
const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`);

function setRow(set) {
  const summary = set.summary;
  const name = set.links["report.json"] ? el("a", {href: set.links.page}, set.video)
    : el("span", {title: set.note || ""}, set.video, el("span", {class: "muted"}, " (files not kept)"));
  return el("tr", {"data-set": set.set},
    el("td", {}, set.session),
    el("td", {}, name),
    el("td", {class: "n"}, summary.rep_count),
    el("td", {class: "n"}, summary.score ?? "–"),
    el("td", {class: "n"}, percent(set.clean_share)),
    el("td", {class: "n"}, number(set.lockout_loss_deg, 1, "°")),
    el("td", {class: "n"}, number(set.slowdown_pct, 0, "%")),
    el("td", {}, summary.cues.map(cueLabel).join(", ") || el("span", {class: "muted"}, "none")));
}

function unfinishedItem(job) {
  const what = job.status === "failed" ? el("span", {class: "muted"}, `failed: ${job.error || "the analysis failed"}`)
    : el("span", {}, job.status === "queued" ? "waiting for its turn" : `${job.stage}…`);
  return el("li", {}, el("a", {href: job.links.page}, job.video || "upload"), " · ", what);
}

getJSON(`/api/clients/${encodeURIComponent(client)}/sets`).then(({sets, unfinished, trends}) => {
  const sessions = new Set(sets.map((set) => set.session));
  $("subtitle").textContent = sets.length ? `${sets.length} set${sets.length === 1 ? "" : "s"} in ${sessions.size} session${sessions.size === 1 ? "" : "s"}` : "";
  $("sets").replaceChildren(...sets.map(setRow));
  if (sets.length === 0) $("sets").append(el("tr", {}, el("td", {colspan: 8, class: "muted"}, "No sets yet.")));
  $("unfinished").replaceChildren(...unfinished.map(unfinishedItem));
  $("unfinished-section").hidden = unfinished.length === 0;
  if (trends) {
    for (const img of document.querySelectorAll("img[data-plot]")) img.src = trends[img.dataset.plot];
    $("csv").href = trends["trends.csv"];
    $("trends").hidden = false;
  }
}).catch((error) => { $("error").textContent = error.message; $("error").hidden = false; });
