// Report page of one set: follows the analysis if it is still running, then shows the verdict,
// the annotated video, the full report.html and the downloads.
import {clientUrl, cueLabel, el, followJob, getJSON} from "/static/common.js";

const [, , clientPart, , setId] = location.pathname.split("/");
const client = decodeURIComponent(clientPart);
const api = `/api/clients/${encodeURIComponent(client)}/sets/${setId}`;
const $ = (id) => document.getElementById(id);

$("client-link").href = clientUrl(client);
$("client-link").textContent = client;
$("title").textContent = `${client} · hip thrust set`;

function fail(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  $("waiting").hidden = true;
}

function showCues(ids, messages = new Map()) {
  const cues = $("cues");
  cues.replaceChildren();
  if (ids.length === 0) cues.append(el("li", {class: "none"}, "Nothing to fix in what could be measured"));
  for (const id of ids) cues.append(el("li", {title: messages.get(id) || "", "data-cue": id}, cueLabel(id)));
}

async function showReport(set) {
  $("waiting").hidden = true;
  $("subtitle").textContent = [set.session && `Session ${set.session}`, set.video].filter(Boolean).join(" · ");
  const links = set.links;
  if (!links["report.json"]) {  // the history keeps its numbers; the files are gone
    $("reps").textContent = set.summary.rep_count;
    $("score").textContent = set.summary.score ?? "n/a";
    showCues(set.summary.cues);
    $("files-note").textContent = set.note;
    $("files-note").hidden = false;
    $("files").hidden = true;
    $("report").hidden = true;
    $("result").hidden = false;
    return;
  }
  const report = await getJSON(links["report.json"]);
  $("reps").textContent = report.summary.rep_count;
  $("score").textContent = report.summary.score ?? "n/a";
  const messages = new Map();
  for (const cue of [...report.set_cues, ...report.reps.flatMap((rep) => rep.cues)]) {
    if (!messages.has(cue.id)) messages.set(cue.id, cue.message);
  }
  showCues([...messages.keys()], messages);
  const perRep = $("per-rep");
  perRep.replaceChildren(...report.reps.map((rep) => {
    const primary = rep.cues.find((cue) => cue.primary) || rep.cues[0];
    return el("li", {}, primary ? primary.message : "good");
  }));
  if (links["annotated.mp4"]) {
    $("video").src = links["annotated.mp4"];
    $("video").hidden = false;
  }
  $("json").href = links["report.json"];
  $("csv").href = links["angles.csv"];
  $("html").href = links["report.html"];
  $("report").src = links["report.html"];
  $("result").hidden = false;
}

async function main() {
  let set = await getJSON(api);
  if (set.status === "queued" || set.status === "running") {
    $("waiting").hidden = false;
    await followJob(set.job, (update) => {
      $("stage").textContent = update.status === "queued" ? "Waiting for its turn…" : `${update.stage}…`;
      $("bar").value = update.progress;
    });
    set = await getJSON(api);
  }
  if (set.status !== "done") fail(set.error || "the analysis failed");
  if (set.links && (set.links["report.json"] || set.status === "done")) await showReport(set); // a refused view still says why
}

main().catch((error) => fail(error.message));
