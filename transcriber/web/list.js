// The caller's transcriptions, newest first, paged; refreshed while any is still under way.
import { listJobs } from "./api.js";
import { byId, el } from "./dom.js";

const WAITING = new Set(["queued", "running", "deferred"]);
const POLL_MS = 2000;

export function createList({ onError }) {
  let cursor = null;
  let items = [];
  let timer = null;
  let active = false;

  async function load(reset = true) {
    try {
      const page = await listJobs(reset ? null : cursor);
      items = reset ? page.items : [...items, ...page.items];
      cursor = page.next;
      render();
      byId("list-error").textContent = "";
    } catch (error) {
      onError(error, byId("list-error"));
    }
    schedule();
  }

  function schedule() {
    window.clearTimeout(timer);
    if (active && items.some((job) => WAITING.has(job.status))) timer = window.setTimeout(() => load(true), POLL_MS);
  }

  function render() {
    const body = byId("jobs-body");
    body.replaceChildren(...items.map(row));
    byId("list-empty").hidden = items.length > 0;
    byId("jobs").hidden = items.length === 0;
    byId("more").hidden = !cursor;
  }

  function row(job) {
    const name = job.fileName || `Recording ${job.id.slice(0, 8)}`;
    const title = job.status === "succeeded" ? el("a", { href: `#/t/${encodeURIComponent(job.id)}`, text: name }) : el("span", { text: name });
    const when = new Date(job.createdAt);
    const status = el("span", { class: `status status-${job.status}`, text: statusText(job) });
    const cell = el("td", { "data-status": job.status }, status);
    if (job.status === "failed" && job.error) cell.append(el("span", { class: "job-error", text: job.error.message || job.error.code }));
    return el(
      "tr",
      { "data-id": job.id },
      el("td", {}, title),
      el("td", {}, el("time", { dateTime: job.createdAt, text: isNaN(when) ? job.createdAt : when.toLocaleString() })),
      cell,
    );
  }

  function statusText(job) {
    if (job.status === "deferred" && job.deferredUntil) {
      return `deferred until ${new Date(job.deferredUntil).toLocaleTimeString()} (Speech is busy)`;
    }
    return job.status;
  }

  byId("refresh").addEventListener("click", () => load(true));
  byId("more").addEventListener("click", () => load(false));

  return {
    show() {
      active = true;
      load(true);
    },
    hide() {
      active = false;
      window.clearTimeout(timer);
    },
    refresh: () => load(true),
  };
}
