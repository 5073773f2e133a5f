// Drag and drop (or choose) one or many files; each is sent on its own with a progress bar.
// Small files go through the app (POST /api/transcriptions); larger ones straight to storage with an
// upload URL where this deployment allows it (`config.directUploads`, past `config.directFromBytes`),
// else through the app up to its limit (`config.appLimitBytes`, the front end's 100 MB).
import { ApiError, KeyRequired, uploadFile, uploadToStorage } from "./api.js";
import { announce, byId, el } from "./dom.js";

function size(bytes) {
  return bytes >= 1_000_000 ? `${Math.floor(bytes / 1_000_000)} MB` : `${Math.floor(bytes / 1000)} kB`;
}

export function setUpUploads({ config, onAccepted, onKeyRequired }) {
  const zone = byId("drop-zone");
  if (!config.directUploads) {
    const note = byId("upload-note");
    note.textContent = `Storage is private in this deployment, so files go through the app: up to ${size(config.appLimitBytes)} each.`;
    note.hidden = false;
  }
  const input = byId("file-input");
  input.addEventListener("change", () => {
    send([...input.files]);
    input.value = "";
  });
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    send([...(event.dataTransfer ? event.dataTransfer.files : [])]);
  });
  // a file dropped beside the zone is not opened by the browser in place of the page
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());

  function send(files) {
    if (!files.length) return;
    announce(`Uploading ${files.length} file${files.length > 1 ? "s" : ""}`);
    for (const file of files) sendOne(file);
  }

  async function sendOne(file) {
    const label = `upload-${crypto.randomUUID()}`;
    const bar = el("progress", { max: 100, value: 0, "aria-labelledby": label });
    const state = el("span", { class: "state", text: "Sending..." });
    const row = el("li", {}, el("span", { id: label, class: "name", text: file.name }), bar, state);
    byId("uploads").prepend(row);
    const progress = (sent, total) => {
      bar.value = Math.round((sent / total) * 100);
    };
    try {
      const job = await sendFile(file, progress);
      bar.value = 100;
      state.textContent = `Sent: ${job.status || "queued"}`;
      announce(`${file.name} sent`);
      onAccepted(job);
    } catch (error) {
      row.classList.add("failed");
      if (error instanceof KeyRequired) {
        state.textContent = "Not sent: a function key is needed.";
        onKeyRequired();
        return;
      }
      state.textContent = `Not sent: ${error.message}`;
      announce(`${file.name} was not accepted: ${error.message}`);
    }
  }

  async function sendFile(file, progress) {
    if (config.directUploads && file.size > config.directFromBytes) return uploadToStorage(file, progress);
    if (file.size > config.appLimitBytes) {
      const why = config.directUploads ? "" : " (storage is private in this deployment)";
      throw new ApiError(413, "TooLarge", `the app takes files up to ${size(config.appLimitBytes)}${why}`);
    }
    return uploadFile(file, progress);
  }
}
