"""The jobs routes' answers to what a caller got wrong, and to what it did not.

A result (`?format=`) asked for before the job succeeded is a conflict, not a bad request: the
job is still running, or it failed. 409, with the job's status and, for a failed job, its error's
code and message. A misspelt field is named, with a guess among every field the route takes.
"""

from __future__ import annotations

import pytest

from tests.unit.entry.http.owners_world import ALICE, API, body, entra_world, get_job, post_job
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.statuses import FAILED, RUNNING
from transcriber.entry.http.jobs import create_job
from transcriber.flows.jobs import records


async def _job_in(world_status: str, monkeypatch: pytest.MonkeyPatch, error: RecordedError | None) -> str:
    world = entra_world(monkeypatch)
    job_id = body(await post_job(ALICE))["id"]
    record = await records.read_job(world.service, job_id)
    assert record is not None
    record.status, record.error = world_status, error
    await records.write_job(world.service, record)
    return job_id


async def test_job_result_of_a_failed_job_is_409_with_the_failures_code_and_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = RecordedError("InvalidAudioFormat", "The audio stream could not be decoded.")
    job_id = await _job_in(FAILED, monkeypatch, error)
    reply = await get_job(ALICE, job_id, "?format=srt")
    assert reply.status == 409 and reply.content_type == "application/json"
    detail = body(reply)["error"]
    assert detail["code"] == "JobNotSucceeded" and detail["jobStatus"] == "failed"
    assert detail["innerError"] == {"code": error.code, "message": error.message}
    assert "InvalidAudioFormat" in detail["message"]


@pytest.mark.parametrize("query", ["?format=json", "?format=text", "?format=vtt"])
async def test_job_result_of_a_running_job_is_409_with_its_status(
    query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = await _job_in(RUNNING, monkeypatch, None)
    reply = await get_job(ALICE, job_id, query)
    detail = body(reply)["error"]
    assert (reply.status, detail["code"], detail["jobStatus"]) == (409, "JobNotSucceeded", "running")
    assert "innerError" not in detail


async def test_job_field_misspelt_is_named_with_a_guess_among_the_routes_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entra_world(monkeypatch)
    document = b'{"blob": "a.wav", "callback_url": "https://hooks.example/x"}'
    headers = {"Content-Type": "application/json", **ALICE}
    reply = await create_job(f"{API}/transcriptions", headers, document)
    message = body(reply)["error"]["message"]
    assert reply.status == 400 and "'callback_url' (did you mean 'callbackUrl'?)" in message
    expected = message.split("expected one of ")[1].split(", ")
    assert {"blob", "callbackUrl", "fileName", "keepAudio", "format"} <= set(expected)
