// Upload page: pick or drop a video, name the client, upload with progress, follow the analysis, open the report.
import {clientUrl, el, followJob, getJSON, uploadSet} from "/static/common.js";

const form = document.getElementById("upload");
const fileInput = document.getElementById("file");
const drop = document.getElementById("drop");
const chosen = document.getElementById("chosen");
const errorBox = document.getElementById("error");
const statusBox = document.getElementById("status");
const stage = document.getElementById("stage");
const bar = document.getElementById("bar");
const detail = document.getElementById("detail");
const send = document.getElementById("send");
let file = null;

function choose(picked) {
  file = picked || null;
  chosen.textContent = file ? `${file.name} · ${(file.size / 1048576).toFixed(1)} MB` : "MP4, MOV, WebM or AVI";
}

function fail(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  statusBox.hidden = true;
  send.disabled = false;
}

function show(title, fraction, text = "") {
  statusBox.hidden = false;
  stage.textContent = title;
  bar.value = fraction;
  detail.textContent = text;
}

document.getElementById("pick").addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => choose(fileInput.files[0]));
for (const name of ["dragenter", "dragover"]) {
  drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
}
for (const name of ["dragleave", "drop"]) {
  drop.addEventListener(name, () => drop.classList.remove("over"));
}
drop.addEventListener("drop", (event) => { event.preventDefault(); choose(event.dataTransfer.files[0]); });

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const client = document.getElementById("client").value.trim();
  if (!client) return fail("Name the client this set belongs to.");
  if (!file) return fail("Choose the video of the set.");
  send.disabled = true;
  try {
    show("Uploading…", 0);
    const created = await uploadSet(file, client, (fraction) => show("Uploading…", fraction));
    show("Waiting for its turn…", 0);
    const job = await followJob(created.job, (update) => {
      if (update.status === "queued") show("Waiting for its turn…", 0, update.ahead ? `${update.ahead} set(s) ahead` : "");
      else show(`${update.stage[0].toUpperCase()}${update.stage.slice(1)}…`, update.progress,
                update.total ? `${update.done} of ${update.total} frames` : "");
    });
    if (job.status !== "done" && !job.links) return fail(job.error || "the analysis failed");
    show("Done", 1);
    location.assign(job.links.page);
  } catch (error) {
    fail(error.message);
  }
});

getJSON("/api/clients").then(({clients}) => {
  const list = document.getElementById("clients");
  const options = document.getElementById("known-clients");
  for (const name of clients) {
    list.append(el("li", {}, el("a", {href: clientUrl(name)}, name)));
    options.append(el("option", {value: name}));
  }
  document.getElementById("clients-section").hidden = clients.length === 0;
}).catch(() => {});
