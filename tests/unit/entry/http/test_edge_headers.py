"""Every answer that carries a transcript (or what leads to one) says no-store and nosniff."""

from __future__ import annotations

import pytest

from tests.unit.builders import wav
from tests.unit.domain.test_speakers import two_speakers
from tests.unit.entry.http.owners_world import (
    ALICE,
    BOB,
    body,
    entra_world,
    get_job,
    get_list,
    post_job,
    post_upload,
    put_names,
    succeeded_job,
)
from transcriber.domain.invocation import Invocation
from transcriber.entry.http.audio import job_audio
from transcriber.entry.http.edge import PRIVATE_HEADERS, HttpReply
from transcriber.entry.http.transcribe import handle_transcribe

API = "https://app.example/api"


def private(reply: HttpReply) -> bool:
    return all(reply.headers.get(name) == value for name, value in PRIVATE_HEADERS.items())


def test_edge_private_headers_are_no_store_and_nosniff() -> None:
    assert PRIVATE_HEADERS == {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


async def test_edge_post_transcribe_answer_in_every_format_is_private(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entra_world(monkeypatch)
    for query in ("", "?format=txt", "?format=srt", "?format=vtt"):
        reply = await handle_transcribe(
            f"{API}/transcribe{query}",
            {"Content-Type": "audio/wav", **ALICE},
            wav(),
            Invocation("transcribe"),
        )
        assert reply.status == 200 and private(reply), (query, reply.status, reply.headers)


async def test_edge_job_status_list_and_each_format_are_private(monkeypatch: pytest.MonkeyPatch) -> None:
    world = entra_world(monkeypatch)
    created = await post_job(ALICE)
    assert created.status == 202 and private(created)
    job_id = await succeeded_job(world, ALICE, two_speakers())
    replies = [await get_job(ALICE, job_id), await get_list(ALICE)]
    replies += [await get_job(ALICE, job_id, f"?format={fmt}") for fmt in ("json", "txt", "srt", "vtt")]
    replies.append(await put_names(ALICE, job_id, {"speakers": {"1": "Alice"}}))
    assert [reply.status for reply in replies] == [200] * len(replies)
    assert all(private(reply) for reply in replies), [reply.headers for reply in replies]


async def test_edge_audio_and_upload_answers_are_private(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    whole = await job_audio(ALICE, job_id)
    part = await job_audio({**ALICE, "Range": "bytes=0-3"}, job_id)
    upload = await post_upload(ALICE, "meeting.wav")
    assert (whole.status, part.status, upload.status) == (200, 206, 201)
    assert private(whole) and private(part) and private(upload)
    assert whole.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"  # the route's own stays


async def test_edge_error_answers_are_private_too(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    missing = await get_job(BOB, job_id)
    unfinished = await get_job(ALICE, job_id, "?format=txt")
    assert (missing.status, unfinished.status) == (404, 409)
    assert private(missing) and private(unfinished)
