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

// Key mode: the key, kept for this tab. Entra mode (App Service Authentication in front): signing
// in, which gives the browser its session cookie; the page's own files load without one.
function askForKey(message = "") {
  list.hide();
  transcript.hide();
  showView("key-view");
  const entra = config.auth === "entra";
  byId("key-title").textContent = entra ? "Sign in" : "Function key";
  byId("sign-in").hidden = !entra;
  byId("key-entry").hidden = entra;
  byId("key-error").textContent = message;
  (entra ? byId("sign-in-link") : byId("key-input")).focus();
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
