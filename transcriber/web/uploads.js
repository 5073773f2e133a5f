// Drag and drop (or choose) one or many files; each is sent on its own with a progress bar.
import { KeyRequired, uploadFile } from "./api.js";
import { announce, byId, el } from "./dom.js";

export function setUpUploads({ onAccepted, onKeyRequired }) {
  const zone = byId("drop-zone");
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
    try {
      const job = await uploadFile(file, (sent, total) => {
        bar.value = Math.round((sent / total) * 100);
      });
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
}
