"""Owners through the host: two Entra ID callers never see each other's jobs, lists or blobs; the
admin role and a key holder see all (docs/API.md, "Owners")."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.app.jobs_queue import URL, Jobs, jobs
from tests.app.test_caller_auth import ROLE
from tests.fixtures.functions import AppUnderTest
from tests.unit.entry.http.owners_world import principal

__all__ = ["jobs"]  # the fixture, shared with test_jobs
ADMIN = "Transcribe.Admin"
ALICE = {"X-MS-CLIENT-PRINCIPAL": principal("alice", ROLE)["X-MS-CLIENT-PRINCIPAL"]}
BOB = {"X-MS-CLIENT-PRINCIPAL": principal("bob", ROLE)["X-MS-CLIENT-PRINCIPAL"]}
CAROL = {"X-MS-CLIENT-PRINCIPAL": principal("carol", ROLE, ADMIN)["X-MS-CLIENT-PRINCIPAL"]}
API = URL.rsplit("/", 1)[0]
MISSING = "0" * 32


@pytest.fixture
async def owners(jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> Jobs:
    """The jobs queue, with Entra ID callers and an admin role."""
    monkeypatch.setenv("HTTP_AUTH_MODE", "entra")
    monkeypatch.setenv("TRANSCRIBE_APP_ROLE", ROLE)
    monkeypatch.setenv("TRANSCRIBE_ADMIN_ROLE", ADMIN)
    monkeypatch.setenv("WEBSITE_AUTH_ENABLED", "True")
    await jobs.app.restart()
    return jobs


async def call(
    app: AppUnderTest, method: str, url: str, caller: dict[str, str], body: bytes = b"", **headers: str
) -> tuple[int, dict, dict[str, str]]:
    response = await app.call(method, url, body, {**headers, **caller})
    document = json.loads(response.get_body()) if response.get_body() else {}
    return response.status_code, document, {k.lower(): v for k, v in response.headers.items()}


async def submit(app: AppUnderTest, caller: dict[str, str], audio: bytes, query: str = "") -> str:
    status, body, _ = await call(app, "POST", f"{URL}{query}", caller, audio, **{"Content-Type": "audio/wav"})
    assert status == 202, body
    return body["id"]


async def listed(app: AppUnderTest, caller: dict[str, str], query: str = "") -> list[str]:
    status, body, headers = await call(app, "GET", f"{URL}{query}", caller)
    assert status == 200 and headers["cache-control"] == "no-store", body
    return [item["id"] for item in body["items"]]


async def test_owners_two_entra_callers_never_see_each_others_jobs_or_lists(
    owners: Jobs, corpus: Path
) -> None:
    app, audio = owners.app, (corpus / "cards-001.wav").read_bytes()
    alice = await submit(app, ALICE, audio, "?fileName=standup.wav")
    bob = await submit(app, BOB, audio)
    assert await listed(app, ALICE) == [alice] and await listed(app, BOB) == [bob]
    assert set(await listed(app, CAROL)) == {alice, bob}
    missing = await call(app, "GET", f"{URL}/{MISSING}", BOB)
    assert missing[0] == 404 and missing[1]["error"]["code"] == "JobNotFound"
    for query in ("", "?format=json", "?format=srt"):
        assert (await call(app, "GET", f"{URL}/{alice}{query}", BOB))[:2] == missing[:2]
    status, described, headers = await call(app, "GET", f"{URL}/{alice}", ALICE)
    assert status == 200 and headers["cache-control"] == "no-store"
    assert described["fileName"] == "standup.wav" and "owner" not in described
    await owners.run()
    assert (await call(app, "GET", f"{URL}/{alice}?format=json", BOB))[:2] == missing[:2]
    assert (await call(app, "GET", f"{URL}/{alice}?format=json", ALICE))[0] == 200
    assert (await call(app, "GET", f"{URL}/{alice}?format=json", CAROL))[0] == 200


async def test_owners_a_blob_is_named_only_by_the_entra_caller_who_uploaded_it(
    owners: Jobs, corpus: Path
) -> None:
    app, audio = owners.app, (corpus / "cards-001.wav").read_bytes()
    name = {"Content-Type": "application/json"}
    status, grant, _ = await call(
        app, "POST", f"{API}/uploads", ALICE, b'{"name": "owners/talk.wav"}', **name
    )
    assert status == 201
    app.upload(grant["blob"], audio)  # as the PUT to the upload URL leaves it
    app.upload("owners/someone-elses.wav", audio)
    missing = await call(app, "POST", URL, BOB, json.dumps({"blob": "owners/absent.wav"}).encode(), **name)
    assert missing[0] == 404 and missing[1]["error"]["code"] == "BlobNotFound"
    for blob in (grant["blob"], "owners/someone-elses.wav"):
        document = json.dumps({"blob": blob}).encode()
        assert (await call(app, "POST", URL, BOB, document, **name))[:2] == missing[:2]
        transcribe = await call(app, "POST", f"{API}/transcribe", BOB, document, **name)
        assert transcribe[0] == 404 and transcribe[1]["error"]["code"] == "BlobNotFound"
    own = json.dumps({"blob": grant["blob"]}).encode()
    assert (await call(app, "POST", URL, ALICE, own, **name))[0] == 202
    other = json.dumps({"blob": "owners/someone-elses.wav"}).encode()
    assert (await call(app, "POST", URL, CAROL, other, **name))[0] == 202


async def test_owners_key_holders_share_one_tenant_that_sees_every_job(jobs: Jobs, corpus: Path) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    first = (await jobs.submit(audio, "audio/wav"))["id"]
    second = (await jobs.submit(audio, "audio/wav"))["id"]
    assert (await listed(jobs.app, {}, "?limit=1")) == [second]
    assert set(await listed(jobs.app, {})) >= {first, second}
    seen, cursor = [], ""
    while cursor is not None:  # storage's own continuation token, through the API
        query = f"?limit=1&cursor={quote(cursor)}" if cursor else "?limit=1"
        status, page, _ = await call(jobs.app, "GET", f"{URL}{query}", {})
        assert status == 200 and len(page["items"]) <= 1
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
    assert seen[:2] == [second, first] and len(seen) == len(set(seen))


async def test_owners_speaker_names_are_the_owners_and_used_in_its_downloads(
    owners: Jobs, corpus: Path
) -> None:
    app = owners.app
    job = await submit(app, ALICE, (corpus / "stereo_diarization.wav").read_bytes(), "?diarization=2")
    names = json.dumps({"speakers": {"1": "Ada Lovelace"}}).encode()
    early = await call(
        app, "PUT", f"{URL}/{job}/speakers", ALICE, names, **{"Content-Type": "application/json"}
    )
    assert early[0] == 409 and early[1]["error"]["code"] == "JobNotSucceeded"
    await owners.run()
    missing = await call(app, "PUT", f"{URL}/{MISSING}/speakers", BOB, names)
    assert missing[0] == 404
    assert (await call(app, "PUT", f"{URL}/{job}/speakers", BOB, names))[:2] == missing[:2]
    status, stored, headers = await call(app, "PUT", f"{URL}/{job}/speakers", ALICE, names)
    assert status == 200 and stored == {"speakers": {"1": "Ada Lovelace"}}
    assert headers["cache-control"] == "no-store"
    srt = await app.call("GET", f"{URL}/{job}?format=srt", b"", ALICE)
    assert srt.status_code == 200 and srt.headers["Cache-Control"] == "no-store"
    assert "Ada Lovelace: " in srt.get_body().decode() and "Speaker 1:" not in srt.get_body().decode()
    assert (await call(app, "GET", f"{URL}/{job}", ALICE))[1]["speakers"] == {"1": "Ada Lovelace"}
    assert (await call(app, "GET", f"{URL}/{job}?format=srt", BOB))[:2] == (
        await call(app, "GET", f"{URL}/{MISSING}", BOB)
    )[:2]


async def test_owners_audio_is_played_by_range_by_its_owner_only(owners: Jobs, corpus: Path) -> None:
    app, audio = owners.app, (corpus / "cards-001.wav").read_bytes()
    kept = await submit(app, ALICE, audio, "?keepAudio=true")
    dropped = await submit(app, ALICE, audio)
    whole = await app.call("GET", f"{URL}/{kept}/audio", b"", ALICE)
    assert whole.status_code == 200 and whole.get_body() == audio
    assert whole.headers["Content-Type"].startswith("audio/wav") and whole.headers["Accept-Ranges"] == "bytes"
    assert (
        whole.headers["Cache-Control"] == "no-store" and whole.headers["X-Content-Type-Options"] == "nosniff"
    )
    part = await app.call("GET", f"{URL}/{kept}/audio", b"", {**ALICE, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.get_body() == audio[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(audio)}"
    past = await app.call("GET", f"{URL}/{kept}/audio", b"", {**ALICE, "Range": f"bytes={len(audio)}-"})
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{len(audio)}"
    missing = await call(app, "GET", f"{URL}/{MISSING}/audio", BOB)
    assert missing[0] == 404 and (await call(app, "GET", f"{URL}/{kept}/audio", BOB))[:2] == missing[:2]
    await owners.run()
    after = await app.call("GET", f"{URL}/{kept}/audio", b"", {**ALICE, "Range": "bytes=0-9"})
    assert after.status_code == 206 and after.get_body() == audio[:10]  # keepAudio: it stays
    assert (await call(app, "GET", f"{URL}/{dropped}/audio", ALICE))[0] == 404  # removed at the job's end
