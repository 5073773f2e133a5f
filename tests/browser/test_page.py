"""The page at make dev's root, in chromium: upload, follow, read beside the audio, name, search.

Each scenario drives the page as a person would (clicks, keys, files chosen or dropped) and checks
what the page shows and what the player does; axe-core checks every view for WCAG 2.1 AA.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from tests.app.dev.test_make_dev import Dev
from tests.browser.conftest import axe_violations, screenshot, wait_until

ROOT = Path(__file__).resolve().parents[2]
JFK = ROOT / "samples" / "jfk.wav"
THIRD_PHRASE_MS = 8150  # "And what you can do for your country.", as the Speech emulator times it


def submit(dev: Dev, path: Path, content_type: str = "audio/wav") -> str:
    """A job as the page makes it (multipart, keepAudio), through the API; returns its id."""
    response = httpx.post(
        f"{dev.base}/api/transcriptions?keepAudio=true",
        files={"file": (path.name, path.read_bytes(), content_type)},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


def wait_for_job(dev: Dev, job_id: str, timeout: float = 60) -> dict:
    """The job's description once it has ended (succeeded or failed)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=10) as client:
        while True:
            job = client.get(f"{dev.base}/api/transcriptions/{job_id}").json()
            if job["status"] in ("succeeded", "failed"):
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {timeout} s"
            time.sleep(0.25)


@pytest.fixture(scope="module")
def jfk(dev_app: Dev) -> str:
    """samples/jfk.wav transcribed, its audio kept: the job id."""
    job_id = submit(dev_app, JFK)
    assert wait_for_job(dev_app, job_id)["status"] == "succeeded"
    return job_id


@pytest.fixture
def transcript(page: Page, jfk: str) -> Iterator[Page]:
    page.goto(f"/#/t/{jfk}")
    expect(page.locator(".phrase")).to_have_count(3, timeout=20_000)
    wait_until(page, "document.getElementById('player').readyState >= 1")
    yield page


def test_page_upload_of_jfk_shows_progress_then_its_transcript(page: Page, dev_app: Dev) -> None:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto("/")
    expect(page.get_by_role("heading", name="Upload recordings")).to_be_visible()
    assert axe_violations(page) == []
    page.set_input_files("#file-input", str(JFK))
    upload = page.locator("#uploads li").first
    expect(upload.locator("progress")).to_have_attribute("value", "100", timeout=20_000)
    expect(upload).to_contain_text("Sent")
    row = page.locator("#jobs-body tr", has_text="jfk.wav").first
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    screenshot(page, "list")
    assert axe_violations(page) == []
    row.get_by_role("link", name="jfk.wav").click()
    expect(page.get_by_role("heading", name="jfk.wav")).to_be_visible()
    expect(page.locator("#phrases")).to_contain_text("country", timeout=20_000)
    expect(page.locator(".phrase .speaker").first).to_have_text("Speaker 1")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    screenshot(page, "transcript")
    assert axe_violations(page) == []
    built = [u for u in urls if u.startswith(dev_app.base)]
    assert built and not [u for u in built if re.search(r"jfk|country|fellow", u, re.IGNORECASE)]


def test_page_files_dropped_together_get_a_progress_bar_each_and_a_row_each(page: Page, corpus: Path) -> None:
    names = ["cards-001.wav", "cards-002.wav"]
    page.goto("/")
    files = [{"name": n, "bytes": list((corpus / n).read_bytes())} for n in names]
    page.evaluate(
        """(files) => {
            const data = new DataTransfer();
            for (const f of files) data.items.add(new File([new Uint8Array(f.bytes)], f.name, {type: "audio/wav"}));
            const zone = document.getElementById("drop-zone");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        files,
    )
    uploads = page.locator("#uploads li")
    expect(uploads).to_have_count(2)
    for name in names:
        upload = uploads.filter(has_text=name)
        expect(upload.locator("progress")).to_have_attribute("value", "100", timeout=20_000)
        row = page.locator("#jobs-body tr", has_text=name).first
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "succeeded", timeout=60_000)


def test_page_click_on_the_third_phrase_seeks_the_player_to_its_offset(transcript: Page) -> None:
    third = transcript.locator(".phrase").nth(2)
    third.get_by_role("button").click()
    seconds = transcript.evaluate("document.getElementById('player').currentTime")
    assert seconds == pytest.approx(THIRD_PHRASE_MS / 1000, abs=0.01)
    expect(third).to_have_class(re.compile(r"\bcurrent\b"))
    third.locator(".word", has_text="country").first.click()  # a word seeks to its own time
    word_ms = int(third.locator(".word", has_text="country").first.get_attribute("data-start") or 0)
    seconds = transcript.evaluate("document.getElementById('player').currentTime")
    assert word_ms > THIRD_PHRASE_MS and seconds == pytest.approx(word_ms / 1000, abs=0.01)


def test_page_playing_moves_the_highlight_from_word_to_word_and_phrase_to_phrase(transcript: Page) -> None:
    transcript.locator(".phrase").first.get_by_role("button").click()
    first_word = transcript.locator(".word.current").get_attribute("data-start")
    transcript.keyboard.press("k")  # play
    wait_until(transcript, "document.getElementById('player').currentTime > 3.5", timeout=15)
    transcript.keyboard.press("k")  # pause
    assert transcript.evaluate("document.getElementById('player').paused")
    current = transcript.locator(".phrase.current")
    expect(current).to_have_count(1)
    assert int(current.get_attribute("data-index") or -1) >= 1  # the highlight left the first phrase
    expect(transcript.locator(".word.current")).to_have_count(1)  # one word at a time
    word_ms = int(transcript.locator(".word.current").get_attribute("data-start") or 0)
    assert first_word == "280" and word_ms > 3000  # a word of the later phrases, not the first


def test_page_renamed_speaker_is_shown_and_carried_by_the_downloaded_srt(transcript: Page) -> None:
    transcript.get_by_label("Speaker 1").fill("John Kennedy")
    transcript.get_by_role("button", name="Save names").click()
    expect(transcript.locator("#speakers-status")).to_have_text("Saved")
    expect(transcript.locator(".phrase .speaker").first).to_have_text("John Kennedy")
    with transcript.expect_download() as download:
        transcript.get_by_role("button", name="Download SRT").click()
    srt = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "jfk.srt"
    assert "John Kennedy" in srt and "Speaker 1" not in srt and "-->" in srt
    transcript.reload()
    expect(transcript.locator(".phrase .speaker").first).to_have_text("John Kennedy", timeout=20_000)
    transcript.get_by_label("Speaker 1").fill("")  # back to "Speaker 1" for the other scenarios
    transcript.get_by_role("button", name="Save names").click()
    expect(transcript.locator(".phrase .speaker").first).to_have_text("Speaker 1")


def test_page_search_marks_every_hit_and_next_jumps_to_it(transcript: Page) -> None:
    transcript.keyboard.press("/")
    expect(transcript.get_by_label("Search the transcript")).to_be_focused()
    transcript.keyboard.type("country")
    expect(transcript.locator("#phrases mark")).to_have_count(2)
    expect(transcript.locator("#search-count")).to_have_text("2 hits")
    transcript.keyboard.press("Enter")
    expect(transcript.locator("#search-count")).to_have_text("hit 1 of 2")
    active = transcript.locator("mark.active")
    word_ms = int(active.locator("xpath=..").get_attribute("data-start") or 0)
    seconds = transcript.evaluate("document.getElementById('player').currentTime")
    assert seconds == pytest.approx(word_ms / 1000, abs=0.01)
    transcript.get_by_role("button", name="Next hit").click()
    expect(transcript.locator("#search-count")).to_have_text("hit 2 of 2")
    assert axe_violations(transcript) == []


def test_page_non_audio_file_shows_the_reason_it_failed(page: Page, dev_app: Dev, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a recording\n" * 50)
    page.goto("/")
    page.set_input_files("#file-input", str(notes))
    answer = httpx.post(  # what the API says of the same file, for comparison
        f"{dev_app.base}/api/transcriptions?keepAudio=true",
        files={"file": (notes.name, notes.read_bytes(), "text/plain")},
        timeout=30,
    )
    if answer.status_code == 202:  # accepted, then failed: the list shows the record's message
        job = wait_for_job(dev_app, answer.json()["id"])
        assert job["status"] == "failed"
        row = page.locator("#jobs-body tr", has_text="notes.txt").first
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "failed", timeout=60_000)
        expect(row).to_contain_text(job["error"]["message"])
    else:  # refused at once: the upload's row says why
        message = answer.json()["error"]["message"]
        expect(page.locator("#uploads li").first).to_contain_text(f"Not sent: {message}", timeout=20_000)
    assert axe_violations(page) == []


def test_page_asks_for_a_key_when_the_app_wants_one_and_sends_it_in_a_header(page: Page, jfk: str) -> None:
    seen: list[Request] = []

    def guard(route, request: Request) -> None:  # the app answering as in key mode
        seen.append(request)
        if request.headers.get("x-functions-key") == "the-key":  # accepted: make dev adds its own key
            route.continue_(headers={k: v for k, v in request.headers.items() if k != "x-functions-key"})
        else:
            route.fulfill(status=401, body="")

    page.route(re.compile(r".*/api/.*"), guard)
    page.goto("/")
    expect(page.get_by_role("heading", name="Function key")).to_be_visible()
    expect(page.get_by_label("Key", exact=True)).to_be_focused()
    screenshot(page, "key")
    assert axe_violations(page) == []
    page.get_by_label("Key", exact=True).fill("wrong")
    page.keyboard.press("Enter")
    expect(page.locator("#key-error")).to_have_text("That key was not accepted.")
    page.get_by_label("Key", exact=True).fill("the-key")
    page.get_by_role("button", name="Use this key").click()
    expect(page.get_by_role("heading", name="Your transcriptions")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('transcriber.functionKey')") == "the-key"
    page.goto(f"/#/t/{jfk}")  # the audio too: fetched with the key in a header, played from a Blob
    wait_until(page, "document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').src").startswith("blob:")
    ranges = [r.headers.get("range") for r in seen if r.url.endswith("/audio")]
    assert ranges and ranges[0] == "bytes=0-"
    assert not [r for r in seen if "the-key" in r.url or "wrong" in r.url]  # never in a URL
    page.get_by_role("button", name="Forget key").click()
    expect(page.get_by_role("heading", name="Function key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('transcriber.functionKey')") is None


def test_page_by_keyboard_alone_focus_is_visible_and_copy_and_downloads_work(
    transcript: Page, context: BrowserContext
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    transcript.locator("#main").focus()
    reached: dict[str, str] = {}  # the page's own controls (the player draws its own focus ring)
    for _ in range(30):  # up to the third phrase's button, not round to the page's start
        if "0:08" in reached:
            break
        transcript.keyboard.press("Tab")
        name, outline = transcript.evaluate(
            "[document.activeElement.id || document.activeElement.textContent.trim(),"
            " document.activeElement.tagName === 'AUDIO' ? 'native' :"
            " getComputedStyle(document.activeElement).outlineStyle]"
        )
        reached[name] = outline
    assert {"search-input", "search-next", "copy", "Download SRT", "0:08"} <= set(reached), reached
    assert [name for name, outline in reached.items() if outline == "none"] == []  # focus is visible
    copy = transcript.get_by_role("button", name="Copy text")
    copy.focus()
    transcript.keyboard.press("Enter")
    expect(transcript.locator("#announcer")).to_have_text("Transcript copied")
    copied = transcript.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines()[2] == "[0:08] Speaker 1: And what you can do for your country."
    for label, extension in (("JSON", "json"), ("TXT", "txt"), ("VTT", "vtt")):
        with transcript.expect_download() as download:
            transcript.get_by_role("button", name=f"Download {label}").click()
        assert download.value.suggested_filename == f"jfk.{extension}"
        assert "country" in Path(download.value.path()).read_text(encoding="utf-8")


def test_page_list_pages_with_the_cursor_and_shows_each_status_with_its_details(page: Page) -> None:
    def job(n: int, status: str, **extra: object) -> dict:
        created = f"2026-01-01T10:{59 - n:02d}:00Z"
        return {
            "id": f"{n:032x}",
            "status": status,
            "createdAt": created,
            "fileName": f"call-{n}.wav",
            **extra,
        }

    first = [job(0, "running"), job(1, "deferred", deferredUntil="2026-01-01T11:00:00Z"), job(2, "queued")]
    first += [job(3, "failed", error={"code": "UnsupportedMedia", "message": "not audio: the file is text"})]
    older = [job(4, "succeeded")]
    asked: list[str] = []

    def listing(route, request: Request) -> None:
        asked.append(request.url)
        query = request.url.split("?", 1)[1]
        body = (
            {"items": older, "next": None} if "cursor=page-2" in query else {"items": first, "next": "page-2"}
        )
        route.fulfill(status=200, json=body)

    page.route(re.compile(r".*/api/transcriptions\?.*"), listing)
    page.goto("/")
    rows = page.locator("#jobs-body tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("deferred until")
    expect(rows.nth(3).locator("[data-status]")).to_have_attribute("data-status", "failed")
    expect(rows.nth(3)).to_contain_text("not audio: the file is text")
    expect(rows.nth(0).get_by_role("link")).to_have_count(0)  # only a finished transcript opens
    page.get_by_role("button", name="Show older").click()
    expect(rows).to_have_count(5)
    expect(rows.nth(4).get_by_role("link", name="call-4.wav")).to_be_visible()
    expect(page.get_by_role("button", name="Show older")).to_be_hidden()
    assert any("cursor=page-2" in url for url in asked) and all("limit=20" in url for url in asked)
    assert axe_violations(page) == []


def config_override(page: Page, **values: object) -> None:
    """The page's config.json as the app serves it, with `values` changed: a deployment's setting
    (or, for `directFromBytes`, a threshold lowered so a short sample takes the large-file path)."""

    def fulfil(route: Route) -> None:
        served = route.fetch()
        route.fulfill(response=served, json={**served.json(), **values})

    page.route("**/config.json", fulfil)


def test_page_large_file_goes_straight_to_storage_with_its_upload_url(page: Page, dev_app: Dev) -> None:
    """Past `directFromBytes` the page PUTs the file to the upload URL (make dev's Azurite carries
    the CORS rule infra sets), then makes a job for that blob: the app never holds the file."""
    config_override(page, directFromBytes=1)
    blob_origin = re.search(r"BlobEndpoint=(http://[^/;]+)", dev_app.connection).group(1)
    sent: list[tuple[str, str]] = []
    page.on("requestfinished", lambda request: sent.append((request.method, request.url)))
    page.goto("/")
    page.set_input_files("#file-input", str(JFK))
    upload = page.locator("#uploads li").first
    expect(upload).to_contain_text("Sent", timeout=30_000)
    expect(upload.locator("progress")).to_have_attribute("value", "100")
    puts = [url for method, url in sent if method == "PUT"]
    assert len(puts) == 1 and puts[0].startswith(f"{blob_origin}/devstoreaccount1/audio-in/uploads/"), sent
    posts = [url for method, url in sent if method == "POST"]
    assert posts == [f"{dev_app.base}/api/uploads", f"{dev_app.base}/api/transcriptions"], sent
    row = page.locator("#jobs-body tr", has_text="jfk.wav").first
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "succeeded", timeout=120_000)
    # the rule lets the page's origin in, and no other
    for origin, allowed in ((dev_app.base, True), ("https://elsewhere.example", False)):
        preflight = httpx.options(
            puts[0].split("?")[0],
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-ms-blob-type,if-none-match,content-type",
            },
        )
        assert (preflight.status_code == 200) is allowed, (origin, preflight.status_code)


def test_page_says_storage_is_private_and_refuses_a_file_past_the_apps_limit(page: Page) -> None:
    """PAGE_DIRECT_UPLOADS=false (infra's setting with vnetEnabled): files only through the app."""
    config_override(page, directUploads=False, appLimitBytes=100_000)
    page.goto("/")
    note = page.locator("#upload-note")
    expect(note).to_have_text(
        "Storage is private in this deployment, so files go through the app: up to 100 kB each."
    )
    page.set_input_files("#file-input", str(JFK))  # 352 kB
    expect(page.locator("#uploads li").first).to_contain_text(
        "Not sent: the app takes files up to 100 kB (storage is private in this deployment)"
    )
    assert axe_violations(page) == []
