// One transcript beside its audio: phrases with times and speakers, click to seek, the current
// phrase and word highlighted while it plays, search, copy, downloads, speaker names.
import { audioSource, getJob, getResult, jobUrl, putSpeakers, request } from "./api.js";
import { announce, byId, el } from "./dom.js";
import { clock, indexAt, phrasesOf, plainText, speakerName } from "./text.js";

const EXTENSIONS = { json: "json", text: "txt", srt: "srt", vtt: "vtt" };
const SEEK_SECONDS = 5;

export function createTranscriptView({ onError }) {
  const player = byId("player");
  let job = null;
  let phrases = [];
  let words = []; // every word, in time order: { start, end, node, phrase }
  let names = {};
  let audio = null;
  let currentPhrase = -1;
  let currentWord = -1;
  let hits = [];
  let hit = -1;
  let frame = 0;

  async function show(id) {
    reset();
    byId("transcript-title").textContent = "Transcript";
    try {
      job = await getJob(id);
      byId("transcript-title").textContent = job.fileName || `Recording ${job.id.slice(0, 8)}`;
      if (job.status !== "succeeded") {
        byId("transcript-error").textContent = job.status === "failed" && job.error ? `Failed: ${job.error.message}` : `Not ready yet: ${job.status}`;
        return;
      }
      names = { ...(job.speakers || {}) };
      const result = await getResult(id, "json");
      phrases = phrasesOf(result);
      renderPhrases();
      renderSpeakers();
      loadAudio(id);
    } catch (error) {
      onError(error, byId("transcript-error"));
    }
  }

  async function loadAudio(id) {
    const note = byId("audio-note");
    try {
      audio = await audioSource(id);
      player.src = audio.src;
    } catch (error) {
      note.hidden = false;
      note.textContent = error.status === 404 ? "The audio is no longer kept: the transcript stays." : `The audio could not be loaded: ${error.message}`;
    }
  }

  function reset() {
    hide();
    job = null;
    phrases = [];
    words = [];
    hits = [];
    hit = -1;
    currentPhrase = currentWord = -1;
    byId("phrases").replaceChildren();
    byId("speaker-fields").replaceChildren();
    byId("speakers-form").hidden = true;
    byId("transcript-error").textContent = "";
    byId("audio-note").hidden = true;
    byId("search-input").value = "";
    byId("search-count").textContent = "";
    byId("speakers-status").textContent = "";
  }

  function hide() {
    player.pause();
    player.removeAttribute("src");
    player.load();
    if (audio) audio.revoke();
    audio = null;
    window.cancelAnimationFrame(frame);
  }

  function renderPhrases() {
    words = [];
    const items = phrases.map((phrase, index) => {
      const text = el("span", { class: "text" });
      phrase.words.forEach((word, i) => {
        const node = el("span", { class: "word", text: word.text, "data-start": String(word.start) });
        words.push({ start: word.start, end: word.end, node, phrase: index });
        if (i) text.append(" ");
        text.append(node);
      });
      const time = el("button", {
        type: "button",
        class: "time",
        text: clock(phrase.start),
        "aria-label": `Play from ${clock(phrase.start)}`,
        "data-start": String(phrase.start),
      });
      const who = el("span", { class: "speaker", "data-speaker": phrase.speaker ?? "", text: speakerName(phrase.speaker, names) });
      return el("li", { class: "phrase", "data-index": String(index), "data-start": String(phrase.start) }, time, who, text);
    });
    words.sort((a, b) => a.start - b.start);
    byId("phrases").replaceChildren(...items);
  }

  function renderSpeakers() {
    const numbers = [...new Set(phrases.map((p) => p.speaker).filter((s) => s !== undefined && s !== null))].sort((a, b) => a - b);
    const form = byId("speakers-form");
    form.hidden = numbers.length === 0;
    byId("speaker-fields").replaceChildren(
      ...numbers.map((number) => {
        const id = `speaker-${number}`;
        return el(
          "span",
          { class: "field" },
          el("label", { htmlFor: id, text: `Speaker ${number}` }),
          el("input", { id, type: "text", name: String(number), maxLength: 64, value: names[String(number)] || "", placeholder: `Speaker ${number}` }),
        );
      }),
    );
  }

  function relabel() {
    for (const node of byId("phrases").querySelectorAll(".speaker")) {
      const raw = node.dataset.speaker;
      node.textContent = raw === "" ? "" : speakerName(Number(raw), names);
    }
  }

  function seek(milliseconds) {
    player.currentTime = milliseconds / 1000;
    follow();
  }

  // The highlight: the phrase and the word at the player's time.
  function follow() {
    const now = player.currentTime * 1000;
    const phrase = indexAt(phrases, now);
    if (phrase !== currentPhrase) {
      const list = byId("phrases").children;
      if (currentPhrase >= 0 && list[currentPhrase]) {
        list[currentPhrase].classList.remove("current");
        list[currentPhrase].removeAttribute("aria-current");
      }
      if (phrase >= 0 && list[phrase]) {
        list[phrase].classList.add("current");
        list[phrase].setAttribute("aria-current", "true");
        if (!player.paused) list[phrase].scrollIntoView({ block: "nearest" });
      }
      currentPhrase = phrase;
    }
    const word = indexAt(words, now);
    if (word !== currentWord) {
      if (currentWord >= 0) words[currentWord].node.classList.remove("current");
      if (word >= 0) words[word].node.classList.add("current");
      currentWord = word;
    }
  }

  function tick() {
    follow();
    if (!player.paused) frame = window.requestAnimationFrame(tick);
  }

  player.addEventListener("play", () => {
    frame = window.requestAnimationFrame(tick);
  });
  player.addEventListener("seeked", follow);
  player.addEventListener("error", () => {
    if (!player.getAttribute("src")) return;
    const note = byId("audio-note");
    note.hidden = false;
    note.textContent = "The audio could not be played: it may no longer be kept. The transcript stays.";
  });
  player.addEventListener("timeupdate", follow);

  byId("phrases").addEventListener("click", (event) => {
    const target = event.target.closest("[data-start]");
    if (target) seek(Number(target.dataset.start));
  });

  // Search: every word holding the query is marked; Enter or "Next hit" goes to the next one.
  const input = byId("search-input");
  input.addEventListener("input", () => mark(input.value));
  byId("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    next();
  });

  function mark(query) {
    for (const node of byId("phrases").querySelectorAll("mark")) node.replaceWith(node.textContent);
    byId("phrases").normalize();
    hits = [];
    hit = -1;
    const needle = query.trim().toLowerCase();
    if (needle) {
      for (const word of words) {
        const text = word.node.textContent;
        const at = text.toLowerCase().indexOf(needle);
        if (at < 0) continue;
        const found = el("mark", { text: text.slice(at, at + needle.length) });
        word.node.replaceChildren(text.slice(0, at), found, text.slice(at + needle.length));
        hits.push({ node: found, start: word.start });
      }
    }
    byId("search-count").textContent = needle ? `${hits.length} hit${hits.length === 1 ? "" : "s"}` : "";
  }

  function next() {
    if (!hits.length) {
      mark(input.value);
      if (!hits.length) return;
    }
    if (hit >= 0) hits[hit].node.classList.remove("active");
    hit = (hit + 1) % hits.length;
    const found = hits[hit];
    found.node.classList.add("active");
    found.node.scrollIntoView({ block: "center" });
    seek(found.start);
    byId("search-count").textContent = `hit ${hit + 1} of ${hits.length}`;
  }

  // Copy and downloads (the downloads carry the speaker names: the app renders them).
  byId("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(plainText(phrases, names));
      announce("Transcript copied");
    } catch {
      announce("The browser did not allow copying");
    }
  });
  for (const button of document.querySelectorAll("[data-format]")) {
    button.addEventListener("click", () => download(button.dataset.format));
  }

  async function download(format) {
    if (!job) return;
    try {
      const response = await request("GET", `${jobUrl(job.id)}?format=${format}`);
      const blob = await response.blob();
      const link = el("a", { href: URL.createObjectURL(blob), download: `${baseName()}.${EXTENSIONS[format]}` });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (error) {
      onError(error, byId("transcript-error"));
    }
  }

  function baseName() {
    const name = (job.fileName || `transcript-${job.id}`).replace(/\.[^.]+$/, "");
    return name.replace(/[^\w.-]+/g, "_") || "transcript";
  }

  byId("speakers-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const wanted = {};
    for (const field of byId("speaker-fields").querySelectorAll("input")) wanted[field.name] = field.value.trim();
    try {
      const saved = await putSpeakers(job.id, wanted);
      names = { ...(saved.speakers || {}) };
      relabel();
      byId("speakers-status").textContent = "Saved";
    } catch (error) {
      onError(error, byId("speakers-status"));
    }
  });

  // Shortcuts, outside text fields: k play/pause, j/l seek, / search, n next hit.
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select")) return;
    const actions = {
      k: () => (player.paused ? player.play() : player.pause()),
      j: () => seek(Math.max(0, player.currentTime - SEEK_SECONDS) * 1000),
      l: () => seek((player.currentTime + SEEK_SECONDS) * 1000),
      "/": () => input.focus(),
      n: () => next(),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  return {
    show,
    hide() {
      hide();
      document.removeEventListener("keydown", onKey);
    },
    listen() {
      document.addEventListener("keydown", onKey);
    },
  };
}
