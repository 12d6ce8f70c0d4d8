// Small helpers shared by the pages. Text from the server is always set as text, never as HTML.

/** Make an element: el("a", {href: "/x", class: "y"}, "text", child, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** GET a JSON document; rejects with the server's one-line error. */
export async function getJSON(url) {
  const response = await fetch(url, {headers: {accept: "application/json"}, credentials: "same-origin"});
  const body = await response.json().catch(() => ({}));
  if (!response.ok && !body.status) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

/** The URL of a client's page. */
export function clientUrl(name) {
  return `/clients/${encodeURIComponent(name)}`;
}

/** Cue ids as people read them. */
export function cueLabel(id) {
  return id.replaceAll("_", " ");
}

/** A local date and time, short. */
export function when(seconds) {
  return new Date(seconds * 1000).toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
}

/** Follow a job to its end with server-sent events; onProgress(job) for each change. Resolves the final job. */
export function followJob(id, onProgress) {
  return new Promise((resolve) => {
    const events = new EventSource(`/api/jobs/${id}/events`);
    const finish = (event) => { events.close(); resolve(JSON.parse(event.data)); };
    events.addEventListener("progress", (event) => onProgress(JSON.parse(event.data)));
    events.addEventListener("done", finish);
    events.addEventListener("failed", finish);
    events.onerror = async () => {
      // The stream broke (server restarted?): ask once for the state and go on from there.
      events.close();
      try { resolve(await getJSON(`/api/jobs/${id}`)); } catch (error) { resolve({status: "failed", error: error.message}); }
    };
  });
}

/** Upload a video with a progress callback (fetch cannot report upload progress; XHR can). */
export function uploadSet(file, client, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("client", client);
    form.append("file", file, file.name || "set.webm");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/jobs");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => {
      const body = xhr.response || {};
      if (xhr.status === 202) resolve(body);
      else reject(new Error(body.error || `upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("the upload was interrupted; check the connection and try again"));
    xhr.send(form);
  });
}
