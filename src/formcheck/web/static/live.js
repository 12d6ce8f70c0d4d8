// Live page: the camera feeds MediaPipe Tasks for Web in this page; only landmarks go to the server,
// over a WebSocket, and the rep count, phase, metrics and cues come back. Everything it loads comes
// from this server (the pinned runtime and the pose model formcheck provisions).
import {FilesetResolver, PoseLandmarker} from "/assets/tasks-vision/vision_bundle.mjs";
import {followJob, uploadSet} from "/static/common.js";

const $ = (id) => document.getElementById(id);
const video = $("camera");
const canvas = $("overlay");
const context = canvas.getContext("2d");
const MAX_IN_FLIGHT = 2; // frames sent but not answered; past this, frames are dropped, never queued
const RECORDER_TYPES = ["video/mp4;codecs=avc1", "video/webm;codecs=vp8", "video/webm"];

let landmarker = null;
let socket = null;
let stream = null;
let recorder = null;
let chunks = [];
let startedAt = 0;
let lastSent = -1;
let running = false;
const inFlight = new Map(); // t_ms -> time the frame was captured
const latencies = [];
// What a test or a curious user can read from the console: frames sent, pose time and latency per frame.
const stats = {frames: 0, answers: 0, poseMs: [], latencyMs: [], serverMs: [], cues: [], delegate: null};
window.formcheckLive = stats;

function status(text) { $("status").textContent = text; }

function banner(text, kind) {
  const cue = $("cue");
  cue.textContent = text;
  cue.className = `banner ${kind}`;
}

function softwareGL() {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return true;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return /swiftshader|llvmpipe|softpipe|software/i.test(String(renderer));
}

async function loadModel() {
  const fileset = await FilesetResolver.forVisionTasks("/assets/tasks-vision/wasm");
  let lastError = null;
  // GPU (WebGL) when there is a real one; on a software renderer the WASM CPU path is ~20x faster
  // (75 ms against 1.5 s a frame measured on SwiftShader). ?delegate=CPU or GPU forces one.
  const asked = new URLSearchParams(location.search).get("delegate");
  const order = asked ? [asked.toUpperCase()] : softwareGL() ? ["CPU"] : ["GPU", "CPU"];
  for (const delegate of order) {
    try {
      const ready = await PoseLandmarker.createFromOptions(fileset, {
        baseOptions: {modelAssetPath: "/assets/pose_landmarker.task", delegate},
        runningMode: "VIDEO", numPoses: 1,
      });
      stats.delegate = delegate;
      return ready;
    } catch (error) { lastError = error; }
  }
  throw lastError;
}

function drawPose(landmarks) {
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (!landmarks) return;
  const scale = Math.max(2, canvas.height / 180);
  context.lineWidth = scale;
  context.strokeStyle = "rgba(120, 220, 255, 0.9)";
  for (const {start, end} of PoseLandmarker.POSE_CONNECTIONS) {
    const a = landmarks[start], b = landmarks[end];
    if (a.visibility < 0.5 || b.visibility < 0.5) continue;
    context.beginPath();
    context.moveTo(a.x * canvas.width, a.y * canvas.height);
    context.lineTo(b.x * canvas.width, b.y * canvas.height);
    context.stroke();
  }
}

function onFrame(now, metadata) {
  if (!running) return;
  video.requestVideoFrameCallback(onFrame);
  if (socket.readyState !== WebSocket.OPEN || inFlight.size >= MAX_IN_FLIGHT) return;
  const tMs = Math.max(lastSent + 1, Math.round(now - startedAt));
  lastSent = tMs;
  const began = performance.now();
  const result = landmarker.detectForVideo(video, now);
  stats.poseMs.push(performance.now() - began);
  stats.frames += 1;
  const pose = result.landmarks[0];
  const world = result.worldLandmarks[0];
  drawPose(pose);
  inFlight.set(tMs, metadata.captureTime ?? now);
  socket.send(JSON.stringify({
    t_ms: tMs, width: video.videoWidth, height: video.videoHeight,
    landmarks: pose ? pose.map((p) => [p.x, p.y, p.z, p.visibility ?? 0, p.presence ?? p.visibility ?? 0]) : [],
    world: world ? world.map((p) => [p.x, p.y, p.z]) : [],
  }));
}

function speak(text) {
  if (!("speechSynthesis" in window)) return;
  speechSynthesis.cancel();
  speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

function onAnswer(event) {
  const answer = JSON.parse(event.data);
  if (answer.error) { status(`The server refused a frame: ${answer.error}`); return; }
  const captured = inFlight.get(answer.t_ms);
  inFlight.delete(answer.t_ms);
  stats.answers += 1;
  stats.serverMs.push(answer.server_ms);
  if (captured !== undefined) {
    stats.latencyMs.push(performance.now() - captured);
    latencies.push(performance.now() - captured);
    if (latencies.length > 30) latencies.shift();
    const sorted = [...latencies].sort((a, b) => a - b);
    $("latency").textContent = `latency ${Math.round(sorted[Math.floor(sorted.length / 2)])} ms`;
    $("latency").hidden = false;
  }
  $("reps").textContent = answer.rep;
  $("phase").textContent = answer.phase || "–";
  for (const [key, value] of Object.entries(answer.metrics)) {
    const cell = $(`m-${key}`);
    if (cell) cell.textContent = value === null ? "–" : `${value.toFixed(0)}°`;
  }
  if (answer.judged && !answer.cue) banner("Good rep.", "good");
  if (answer.cue) {
    banner(answer.cue.message, answer.cue.severity === "info" ? "info" : "warn");
    $("cue").dataset.cue = answer.cue.id || "";
    if (answer.cue.id && !stats.cues.includes(answer.cue.id)) stats.cues.push(answer.cue.id);
  }
  if (answer.say) speak(answer.say.message);
}

async function start(event) {
  event.preventDefault();
  const client = $("client").value.trim();
  if (!client) { status("Name the client first: the set is saved under that name."); return; }
  $("start").disabled = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: {width: {ideal: 1280}, height: {ideal: 720}}, audio: false});
  } catch (error) {
    $("start").disabled = false;
    status(`No camera: ${error.message}`);
    return;
  }
  video.srcObject = stream;
  await video.play();
  const type = RECORDER_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  recorder = new MediaRecorder(stream, type ? {mimeType: type} : {});
  chunks = [];
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  recorder.start(1000);
  socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/live`);
  socket.onmessage = onAnswer;
  socket.onclose = () => { if (running) status("The connection to formcheck closed; end the set to save it."); };
  socket.onopen = () => {
    startedAt = performance.now();
    running = true;
    banner("Finding the lifter…", "info");
    status(`Coaching ${client}. Press "End set" when the set is over.`);
    $("start").hidden = true;
    $("stop").hidden = false;
    video.requestVideoFrameCallback(onFrame);
  };
}

async function stop() {
  running = false;
  $("stop").disabled = true;
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.stop();
  await stopped;
  socket.close();
  for (const track of stream.getTracks()) track.stop();
  const type = recorder.mimeType || "video/webm";
  const file = new File(chunks, type.startsWith("video/mp4") ? "live.mp4" : "live.webm", {type});
  try {
    const created = await uploadSet(file, $("client").value.trim(),
      (fraction) => status(`Saving the set… ${Math.round(fraction * 100)}%`));
    const job = await followJob(created.job, (update) => status(`Analysing the set: ${update.stage}…`));
    if (job.status !== "done") throw new Error(job.error || "the analysis failed");
    location.assign(job.links.page);
  } catch (error) {
    status(`The set could not be saved: ${error.message}`);
  }
}

$("controls").addEventListener("submit", start);
$("stop").addEventListener("click", stop);
loadModel().then((ready) => {
  landmarker = ready;
  $("start").disabled = false;
  status("Ready. Name the client and start the set.");
}).catch((error) => status(`The pose model did not load: ${error.message}`));
