// Report page of one set: follows the analysis if it is still running, then shows the verdict,
// the annotated video, the full report.html and the downloads.
import {clientUrl, cueLabel, el, followJob, getJSON, when} from "/static/common.js";

const [, , clientPart, , jobId] = location.pathname.split("/");
const client = decodeURIComponent(clientPart);
const $ = (id) => document.getElementById(id);

$("client-link").href = clientUrl(client);
$("client-link").textContent = client;
$("title").textContent = `${client} · hip thrust set`;

function fail(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  $("waiting").hidden = true;
}

async function showReport(job) {
  $("waiting").hidden = true;
  $("subtitle").textContent = job.finished ? `Analysed ${when(job.finished)}` : "";
  const links = job.links;
  const report = await getJSON(links["report.json"]);
  $("reps").textContent = report.summary.rep_count;
  $("score").textContent = report.summary.score ?? "n/a";
  const cues = $("cues");
  cues.replaceChildren();
  const seen = new Map();
  for (const cue of [...report.set_cues, ...report.reps.flatMap((rep) => rep.cues)]) {
    if (!seen.has(cue.id)) seen.set(cue.id, cue.message);
  }
  if (seen.size === 0) cues.append(el("li", {class: "none"}, "Nothing to fix in what could be measured"));
  for (const [id, message] of seen) cues.append(el("li", {title: message, "data-cue": id}, cueLabel(id)));
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
  let job = await getJSON(`/api/jobs/${jobId}`);
  if (!job.status || job.status === "queued" || job.status === "running") {
    $("waiting").hidden = false;
    job = await followJob(jobId, (update) => {
      $("stage").textContent = update.status === "queued" ? "Waiting for its turn…" : `${update.stage}…`;
      $("bar").value = update.progress;
    });
  }
  if (job.status !== "done") fail(job.error || "the analysis failed");
  if (job.links && job.links["report.json"]) await showReport(job); // a refused view still says why
}

main().catch((error) => fail(error.message));
