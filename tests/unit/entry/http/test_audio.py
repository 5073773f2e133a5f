"""GET /api/transcriptions/{id}/audio on fakes: the owner's audio by range, nobody else's."""

from __future__ import annotations

import pytest

from tests.unit.builders import wav
from tests.unit.entry.http.owners_world import ADMIN_CALLER, ALICE, BOB, body, entra_world, post_job
from transcriber.entry.http.audio import job_audio
from transcriber.flows.jobs import audio


async def test_audio_is_served_whole_or_by_range_with_its_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    sent = wav()
    whole = await job_audio(ALICE, job_id)
    assert (whole.status, whole.body, whole.content_type) == (200, sent, "audio/wav")
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["Cache-Control"] == "no-store"
    assert whole.headers["X-Content-Type-Options"] == "nosniff" and "Content-Range" not in whole.headers
    part = await job_audio({**ALICE, "Range": "bytes=4-11"}, job_id)
    assert (part.status, part.body) == (206, sent[4:12])
    assert part.headers["Content-Range"] == f"bytes 4-11/{len(sent)}"
    past = await job_audio({**ALICE, "Range": f"bytes={len(sent)}-"}, job_id)
    assert (past.status, past.headers["Content-Range"]) == (416, f"bytes */{len(sent)}")


async def test_audio_over_the_answer_limit_comes_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio, "MAX_ANSWER_BYTES", 1000)
    entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    first = await job_audio(ALICE, job_id)
    assert (first.status, len(first.body)) == (206, 1000)
    assert first.headers["Content-Range"] == f"bytes 0-999/{len(wav())}"


async def test_audio_of_another_callers_job_is_a_missing_job(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    missing = await job_audio(BOB, "0" * 32)
    refused = await job_audio({**BOB, "Range": "bytes=0-1"}, job_id)
    assert (refused.status, refused.body) == (404, missing.body) and missing.status == 404
    assert (await job_audio(ADMIN_CALLER, job_id)).status == 200


async def test_audio_replaced_or_removed_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    world = entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    world.upload(f"jobs/{job_id}/audio", wav(2.0))  # another version than the job transcribed
    gone = await job_audio(ALICE, job_id)
    assert (gone.status, body(gone)["error"]["code"]) == (404, "BlobNotFound")
    world.store.remove(world.settings.audio_container, f"jobs/{job_id}/audio")
    assert (await job_audio(ALICE, job_id)).status == 404


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("audio/mpeg", "audio/mpeg"),
        ("video/mp4", "video/mp4"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        (None, "application/octet-stream"),
    ],
)
def test_audio_type_is_served_only_when_it_is_audio_or_video(stored: str | None, served: str) -> None:
    assert audio.playable_type(stored) == served
