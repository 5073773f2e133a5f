// The API, same origin. Key mode: the function key, kept in sessionStorage (this tab only), goes
// in the x-functions-key header, never in a URL. Entra mode: App Service Authentication's cookie.
// Every URL built here holds ids only: no transcript text, no blob or file name.

const KEY_ITEM = "transcriber.functionKey";

export class KeyRequired extends Error {}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function key() {
  return sessionStorage.getItem(KEY_ITEM) || "";
}

export function setKey(value) {
  if (value) sessionStorage.setItem(KEY_ITEM, value);
  else sessionStorage.removeItem(KEY_ITEM);
}

export function authHeaders() {
  const value = key();
  return value ? { "x-functions-key": value } : {};
}

export function jobUrl(id, suffix = "") {
  return `/api/transcriptions/${encodeURIComponent(id)}${suffix}`;
}

async function failure(response) {
  if (response.status === 401) return new KeyRequired("a function key is needed");
  let code = `HTTP${response.status}`;
  let message = `the app answered ${response.status}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(response.status, code, message);
}

export async function request(method, url, { json, accept } = {}) {
  const headers = { ...authHeaders() };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  if (accept) headers.Accept = accept;
  const response = await fetch(url, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson(url) {
  return (await request("GET", url)).json();
}

export function listJobs(cursor) {
  const query = new URLSearchParams({ limit: "20" });
  if (cursor) query.set("cursor", cursor);
  return getJson(`/api/transcriptions?${query}`);
}

export function getJob(id) {
  return getJson(jobUrl(id));
}

export async function getResult(id, format) {
  const response = await request("GET", `${jobUrl(id)}?format=${encodeURIComponent(format)}`);
  return format === "json" ? response.json() : response.text();
}

export function putSpeakers(id, speakers) {
  return request("PUT", jobUrl(id, "/speakers"), { json: { speakers } }).then((r) => r.json());
}

// How this deployment takes files (the page function's config.json): `directUploads` (large files
// straight to storage) and `appLimitBytes` (the most the app takes in one request).
export async function getConfig() {
  const response = await fetch("/config.json", { cache: "no-store", credentials: "same-origin" });
  if (!response.ok) throw await failure(response);
  return response.json();
}

// One request with upload progress (`onProgress(sent, total)`); resolves with the answer's JSON.
function send(method, url, headers, body, onProgress, { toStorage = false } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = toStorage ? "text" : "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(toStorage ? {} : xhr.response || {});
      else if (xhr.status === 401 && !toStorage) reject(new KeyRequired("a function key is needed"));
      else if (toStorage) reject(new ApiError(xhr.status, `Storage${xhr.status}`, `storage refused the upload (${xhr.status})`));
      else {
        const error = (xhr.response || {}).error || {};
        reject(new ApiError(xhr.status, error.code || `HTTP${xhr.status}`, error.message || `the app answered ${xhr.status}`));
      }
    });
    const where = toStorage ? "storage" : "the app";
    xhr.addEventListener("error", () => reject(new ApiError(0, "NetworkError", `the upload did not reach ${where}`)));
    xhr.send(body);
  });
}

// One file to POST /api/transcriptions as multipart (its name travels in the part, not the URL),
// keepAudio=true so the page can play it.
export function uploadFile(file, onProgress) {
  const form = new FormData();
  form.append("file", file, file.name);
  return send("POST", "/api/transcriptions?keepAudio=true", authHeaders(), form, onProgress);
}

// One file past the app's limit: an upload URL from the app (a create-only SAS for a blob the app
// names), one PUT straight to storage, then a job for that blob. The file name travels in JSON
// bodies only; the upload URL names the blob, and the page never logs or shows it.
export async function uploadToStorage(file, onProgress) {
  const grant = await (await request("POST", "/api/uploads", { json: { name: file.name } })).json();
  const headers = { ...grant.headers, "Content-Type": file.type || "application/octet-stream" };
  await send(grant.method || "PUT", grant.uploadUrl, headers, file, onProgress, { toStorage: true });
  return (await request("POST", "/api/transcriptions", { json: { blob: grant.blob, fileName: file.name } })).json();
}

// The job's audio for the player. Entra mode (or no key): the URL itself, the browser sends its
// cookie and asks for ranges. Key mode: an <audio> cannot send a header, so the audio is fetched
// range by range (the app answers at most 8 MiB each) into a Blob played from memory.
export async function audioSource(id) {
  const url = jobUrl(id, "/audio");
  if (!key()) return { src: url, revoke() {} };
  const parts = [];
  let start = 0;
  let total = null;
  let type = "";
  while (total === null || start < total) {
    const headers = { ...authHeaders(), Range: `bytes=${start}-` };
    const response = await fetch(url, { headers, cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw await failure(response);
    type = response.headers.get("Content-Type") || type;
    const chunk = await response.arrayBuffer();
    parts.push(chunk);
    const range = /\/(\d+)$/.exec(response.headers.get("Content-Range") || "");
    total = range ? Number(range[1]) : chunk.byteLength;
    start += chunk.byteLength;
    if (response.status === 200 || chunk.byteLength === 0) break;
  }
  const src = URL.createObjectURL(new Blob(parts, { type }));
  return { src, revoke: () => URL.revokeObjectURL(src) };
}
