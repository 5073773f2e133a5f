"""PUT /api/transcriptions/{id}/speakers: names stored beside the transcript, used by ?format=."""

from __future__ import annotations

import json

import pytest

from tests.unit.domain.test_speakers import two_speakers
from tests.unit.entry.http.owners_world import (
    ADMIN_CALLER,
    ALICE,
    BOB,
    body,
    entra_world,
    get_job,
    post_job,
    put_names,
    succeeded_job,
)
from transcriber.domain.speakers import speakers_name


async def test_speakers_named_by_the_owner_are_used_by_txt_srt_and_vtt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = entra_world(monkeypatch)
    job_id = await succeeded_job(world, ALICE, two_speakers())
    reply = await put_names(ALICE, job_id, {"speakers": {"1": "Alice", "2": "Bob"}})
    assert reply.status == 200 and reply.headers["Cache-Control"] == "no-store"
    assert body(reply) == {"speakers": {"1": "Alice", "2": "Bob"}}
    assert body(await put_names(ALICE, job_id, {"speakers": {"2": ""}})) == {"speakers": {"1": "Alice"}}
    for fmt in ("txt", "srt", "vtt"):
        rendered = await get_job(ALICE, job_id, f"?format={fmt}")
        assert rendered.status == 200 and rendered.headers["Cache-Control"] == "no-store"
        assert "Alice" in str(rendered.body) and "Speaker 1" not in str(rendered.body)
        assert "Speaker 2" in str(rendered.body)
    described = body(await get_job(ALICE, job_id))
    assert described["speakers"] == {"1": "Alice"}
    result = json.loads((await get_job(ALICE, job_id, "?format=json")).body)
    assert result == two_speakers()  # the service's result stays as it was
    record = world.store.blob(world.settings.failures_container, speakers_name(f"jobs/{job_id}/audio"))
    assert record is not None and json.loads(record.data)["speakers"] == {"1": "Alice"}


async def test_speakers_of_another_callers_job_are_a_missing_job(monkeypatch: pytest.MonkeyPatch) -> None:
    world = entra_world(monkeypatch)
    job_id = await succeeded_job(world, ALICE, two_speakers())
    missing = await put_names(BOB, "0" * 32, {"speakers": {}})
    refused = await put_names(BOB, job_id, {"speakers": {"1": "Mallory"}})
    assert (refused.status, refused.body) == (404, missing.body)
    assert (await put_names(ADMIN_CALLER, job_id, {"speakers": {"1": "Carol"}})).status == 200


async def test_speakers_before_the_job_succeeded_are_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    reply = await put_names(ALICE, job_id, {"speakers": {"1": "Alice"}})
    assert (reply.status, body(reply)["error"]["code"]) == (409, "JobNotSucceeded")


@pytest.mark.parametrize(
    "document", [{"speakers": {"36": "A"}}, {"speakers": {"1": "\u0007"}}, {"names": {}}, "Alice"]
)
async def test_speakers_invalid_names_are_refused(document: object, monkeypatch: pytest.MonkeyPatch) -> None:
    world = entra_world(monkeypatch)
    job_id = await succeeded_job(world, ALICE, two_speakers())
    reply = await put_names(ALICE, job_id, document)
    assert (reply.status, body(reply)["error"]["code"]) == (400, "InvalidRequest")
