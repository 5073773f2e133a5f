// The page: a key prompt when the app asks for one, the list with uploads, one transcript.
// Views are chosen by the URL's fragment: `#/` the list, `#/t/<job id>` a transcript.
import { KeyRequired, getConfig, key, listJobs, setKey } from "./api.js";
import { byId } from "./dom.js";
import { createList } from "./list.js";
import { createTranscriptView } from "./transcript.js";
import { setUpUploads } from "./uploads.js";

const views = ["key-view", "list-view", "transcript-view"];

function showView(id) {
  for (const view of views) byId(view).hidden = view !== id;
  byId("forget-key").hidden = !key();
}

function onError(error, where) {
  if (error instanceof KeyRequired) {
    askForKey();
    return;
  }
  where.textContent = error.message;
}

const list = createList({ onError });
const transcript = createTranscriptView({ onError });
// Without config.json (an old or broken deployment), files go through the app only.
const config = await getConfig().catch(() => ({ directUploads: false, directFromBytes: 0, appLimitBytes: 104_792_064 }));
setUpUploads({ config, onAccepted: () => list.refresh(), onKeyRequired: askForKey });

function askForKey(message = "") {
  list.hide();
  transcript.hide();
  showView("key-view");
  byId("key-error").textContent = message;
  byId("key-input").focus();
  signInOffered();
}

// Entra mode: App Service Authentication answers /.auth/me (the app itself never does, a key
// app gives its JSON 404); then the way in is signing in, not a key.
async function signInOffered() {
  try {
    const me = await fetch("/.auth/me", { credentials: "same-origin", cache: "no-store" });
    byId("sign-in").hidden = me.status === 404;
  } catch {
    byId("sign-in").hidden = true;
  }
}

byId("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  setKey(byId("key-input").value.trim());
  byId("key-input").value = "";
  try {
    await listJobs(null);
    route();
  } catch (error) {
    setKey("");
    askForKey(error instanceof KeyRequired ? "That key was not accepted." : error.message);
  }
});

byId("forget-key").addEventListener("click", () => {
  setKey("");
  askForKey();
});

function route() {
  const match = /^#\/t\/([^/]+)$/.exec(location.hash);
  if (match) {
    list.hide();
    showView("transcript-view");
    transcript.listen();
    transcript.show(decodeURIComponent(match[1]));
  } else {
    transcript.hide();
    showView("list-view");
    list.show();
  }
  byId("main").focus({ preventScroll: true });
}

window.addEventListener("hashchange", route);
route();
