"""Transcription jobs: POST /api/transcriptions (202), GET /api/transcriptions/{id}, the queue run.

Every request goes through the host to Microsoft's runtime; every job message is the one the app
put on Azurite's queue, delivered to the queue-triggered function with the queue's retries.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.app.jobs_queue import URL, Jobs, deliver


def error_code(response) -> str:
    return json.loads(response.get_body())["error"]["code"]


async def test_job_body_audio_is_accepted_at_once_then_polled_to_success(jobs: Jobs, corpus: Path) -> None:
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav", "locale=en-US")
    assert jobs.app.speech.requests() == []  # 202 before any transcription
    assert (await jobs.status_json(accepted["id"]))["status"] == "queued"
    name = f"jobs/{accepted['id']}/audio"
    event = await jobs.app.blob_event(name)  # the blob trigger leaves job audio to its job
    assert event.status == "succeeded" and jobs.app.speech.requests() == []
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded"
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and status["blob"] == name
    assert {o["name"] for o in status["outputs"]} == {
        f"{name}.{ext}" for ext in ("json", "txt", "srt", "vtt")
    }
    assert set(status["links"]) == {"json", "text", "srt", "vtt"}
    assert "text" not in status and "phrases" not in json.dumps(status)
    text = await jobs.status(accepted["id"], "format=text")
    assert text.status_code == 200 and text.get_body().strip()
    result = json.loads((await jobs.status(accepted["id"], "format=json")).get_body())
    assert result["phrases"] and "source" not in result
    assert len(jobs.app.speech.requests()) == 1
    assert await jobs.run() == []  # nothing left queued


async def test_job_for_a_blob_polls_to_success_with_the_blobs_outputs(jobs: Jobs, corpus: Path) -> None:
    jobs.app.upload("calls/a.wav", (corpus / "cards-001.wav").read_bytes())
    accepted = await jobs.submit(json.dumps({"blob": "calls/a.wav"}).encode(), "application/json")
    [delivery] = await jobs.run()
    status = await jobs.status_json(accepted["id"])
    assert delivery.status == "succeeded" and status["status"] == "succeeded"
    assert "calls/a.wav.json" in jobs.app.transcripts()
    # the same version delivered again by the blob trigger: no second Speech call
    await jobs.app.blob_event("calls/a.wav")
    assert len(jobs.app.speech.requests()) == 1


async def test_job_for_a_bad_blob_polls_to_failure_with_the_records_code(jobs: Jobs) -> None:
    jobs.app.upload("notes.wav", b"meeting notes, not audio", "text/plain")
    accepted = await jobs.submit(json.dumps({"blob": "notes.wav"}).encode(), "application/json")
    [delivery] = await jobs.run()
    status = await jobs.status_json(accepted["id"])
    assert delivery.status == "succeeded"  # a final failure is an outcome, not a retry
    assert (
        status["status"] == "failed"
        and status["error"]["code"] == jobs.app.failure_json("notes.wav")["error"]["code"]
    )
    assert status["error"]["message"] and "outputs" not in status
    too_early = await jobs.status(accepted["id"], "format=json")
    assert too_early.status_code == 409 and error_code(too_early) == "JobNotSucceeded"
    assert json.loads(too_early.get_body())["error"]["innerError"] == status["error"]


async def test_job_that_keeps_failing_is_retried_then_poisoned_and_failed(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_MAX_ATTEMPTS", "5")  # as many as the queue's maxDequeueCount
    jobs.app.speech.fail(500, count=1000)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    [delivery] = await jobs.run()
    assert delivery.status == "poisoned" and len(delivery.invocations) == 5
    assert jobs.poisoned() == [json.dumps({"id": accepted["id"]})]
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "failed" and status["attempts"] == 5
    record = jobs.app.failure_json(f"jobs/{accepted['id']}/audio")
    assert record["final"] is True and record["attempts"] == 5


async def test_job_duplicate_message_changes_nothing(jobs: Jobs, corpus: Path) -> None:
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    await jobs.run()
    again = await deliver(jobs.app.host, json.dumps({"id": accepted["id"]}))
    assert again.status == "succeeded" and len(jobs.app.speech.requests()) == 1


@pytest.mark.parametrize(
    "job_id", ["abc", "%2e%2e", "..", "A" * 32, "0" * 31, "0" * 33, "g" * 32, "0" * 31 + "%00", "%2fjobs"]
)
async def test_job_status_with_hostile_id_is_refused(jobs: Jobs, job_id: str) -> None:
    response = await jobs.status(job_id)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert error_code(response) == "InvalidJobId"
    assert jobs.app.failures() == {}


async def test_job_status_of_unknown_id_is_404(jobs: Jobs) -> None:
    response = await jobs.status(uuid.uuid4().hex)
    assert response.status_code == 404 and error_code(response) == "JobNotFound"


@pytest.mark.parametrize(
    "blob", ["../secret.wav", "%2e%2e/x.wav", "a//b.wav", "jobs/0123/audio", "https://evil.example/x.wav"]
)
async def test_job_with_hostile_blob_name_is_refused_and_nothing_is_queued(jobs: Jobs, blob: str) -> None:
    response = await jobs.app.call(
        "POST", URL, json.dumps({"blob": blob}).encode(), {"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and error_code(response) in ("InvalidBlobName", "InvalidRequest")
    assert await jobs.run() == []


async def test_job_for_a_missing_blob_is_404(jobs: Jobs) -> None:
    body = json.dumps({"blob": "nowhere.wav"}).encode()
    response = await jobs.app.call("POST", URL, body, {"Content-Type": "application/json"})
    assert response.status_code == 404


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"id": "../x"}', '{"id": 5}', "x" * 5000])
async def test_job_hostile_queue_message_is_dropped_without_retry(jobs: Jobs, text: str) -> None:
    delivery = await deliver(jobs.app.host, text)
    assert delivery.status == "succeeded" and len(delivery.invocations) == 1
    assert jobs.app.failures() == {} and jobs.app.speech.requests() == []


async def test_job_endpoints_need_the_function_key(jobs: Jobs) -> None:
    for method, url in (("POST", URL), ("GET", f"{URL}/{uuid.uuid4().hex}")):
        response = await jobs.app.host.http(method, url, b"x", {"Content-Type": "audio/wav"})
        assert response.status_code == 401


def audio_names(jobs: Jobs) -> set[str]:
    container = jobs.app.storage.get_container_client(jobs.app.containers.audio)
    return {blob.name for blob in container.list_blobs()}


async def blob_deleted(jobs: Jobs, name: str) -> None:
    """The BlobDeleted event the deletion raises, as Event Grid queues it for erase_transcripts."""
    from tests.app.test_erasure import blob_event
    from tests.app.test_erasure import deliver as deliver_erasure

    delivery = await deliver_erasure(jobs.app, blob_event(jobs.app.containers.audio, name))
    assert delivery.status == "succeeded"


async def test_job_audio_is_removed_after_success_and_its_outputs_stay(jobs: Jobs, corpus: Path) -> None:
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    name = f"jobs/{accepted['id']}/audio"
    assert name in audio_names(jobs)
    await jobs.run()
    assert name not in audio_names(jobs)  # the job's own copy, gone once it succeeded
    await blob_deleted(jobs, name)  # erasure keeps what the job was asked for
    outputs = {f"{name}.{ext}" for ext in ("json", "txt", "srt", "vtt")}
    assert outputs <= set(jobs.app.transcripts())
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and status["audioRemovedAt"]
    srt = await jobs.status(accepted["id"], "format=srt")
    assert srt.status_code == 200 and b"-->" in srt.get_body()
    again = await deliver(jobs.app.host, json.dumps({"id": accepted["id"]}))  # a redelivery
    assert again.status == "succeeded" and len(jobs.app.speech.requests()) == 1


async def test_job_audio_is_removed_after_a_final_failure_and_the_record_stays(
    jobs: Jobs, corpus: Path
) -> None:
    jobs.app.speech.fail(400, count=1)  # the service refuses the audio: final at once
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    name = f"jobs/{accepted['id']}/audio"
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded" and len(delivery.invocations) == 1
    assert name not in audio_names(jobs)
    await blob_deleted(jobs, name)
    record = jobs.app.failure_json(name)
    assert record["final"] is True
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "failed" and status["error"]["code"] == record["error"]["code"]


async def test_job_retried_after_a_transient_failure_still_finds_its_audio(jobs: Jobs, corpus: Path) -> None:
    jobs.app.speech.fail(500, count=4)  # one SDK call: the first try and azure-core's 3 retries
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    name = f"jobs/{accepted['id']}/audio"
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded" and len(delivery.invocations) == 2
    assert delivery.invocations[0].error  # the first try failed and kept the audio for the second
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and status["attempts"] == 2
    assert name not in audio_names(jobs) and f"{name}.json" in jobs.app.transcripts()


async def test_job_poisoned_removes_its_audio_once_the_failure_is_final(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_MAX_ATTEMPTS", "5")
    jobs.app.speech.fail(500, count=1000)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    [delivery] = await jobs.run()
    assert delivery.status == "poisoned"  # every try read the audio; only the last removed it
    assert [bool(i.error) for i in delivery.invocations] == [True] * 5
    assert f"jobs/{accepted['id']}/audio" not in audio_names(jobs)
    assert (await jobs.status_json(accepted["id"]))["status"] == "failed"


async def test_job_for_a_named_blob_leaves_the_blob(jobs: Jobs, corpus: Path) -> None:
    jobs.app.upload("keep/a.wav", (corpus / "cards-001.wav").read_bytes())
    accepted = await jobs.submit(json.dumps({"blob": "keep/a.wav"}).encode(), "application/json")
    await jobs.run()
    assert "keep/a.wav" in audio_names(jobs)
    assert "audioRemovedAt" not in await jobs.status_json(accepted["id"])


async def test_job_audio_deleted_by_someone_else_is_erased_like_any_recording(
    jobs: Jobs, corpus: Path
) -> None:
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    name = f"jobs/{accepted['id']}/audio"
    await jobs.run()
    # outputs of a job audio whose record does not say its job removed it
    record_name = f"jobs/{accepted['id']}.json"
    failures = jobs.app.storage.get_container_client(jobs.app.containers.failures)
    record = json.loads(failures.download_blob(record_name).readall())
    record.pop("audioRemovedAt")
    failures.upload_blob(record_name, json.dumps(record), overwrite=True)
    await blob_deleted(jobs, name)
    assert not {n for n in jobs.app.transcripts() if n.startswith(name)}


async def test_job_multipart_audio_with_options_in_fields(jobs: Jobs, corpus: Path) -> None:
    from tests.app.test_http_trigger import multipart

    body, content_type = multipart((corpus / "cards-001.wav").read_bytes(), {"locale": "en-US"})
    accepted = await jobs.submit(body, content_type)
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded"
    assert (await jobs.status_json(accepted["id"]))["status"] == "succeeded"
    [request] = jobs.app.speech.requests()
    assert request.audio_bytes and "en-US" in json.dumps(request.definition)


@pytest.mark.parametrize(
    ("how", "stored"),
    [
        ("multipart", "clip.wav"),  # the file part's filename
        ("disposition", "Board meeting (2).wav"),  # a raw body's Content-Disposition, RFC 5987 form
        ("field", "Réunion_3.wav"),  # fileName, made safe for a blob name: no '?'
        ("none", "audio"),
    ],
)
async def test_job_body_audio_keeps_its_file_name_for_its_outputs(
    jobs: Jobs, corpus: Path, how: str, stored: str
) -> None:
    from tests.app.test_http_trigger import multipart

    audio = (corpus / "cards-001.wav").read_bytes()
    headers, query, body = {"Content-Type": "audio/wav"}, "", audio
    if how == "multipart":
        body, headers["Content-Type"] = multipart(audio, {})
    elif how == "disposition":
        headers["Content-Disposition"] = "attachment; filename*=UTF-8''Board%20meeting%20%282%29.wav"
    elif how == "field":
        query = "fileName=" + quote("Réunion?3.wav")
    response = await jobs.app.call("POST", f"{URL}?{query}", body, headers)
    assert response.status_code == 202, response.get_body()
    job_id = json.loads(response.get_body())["id"]
    name = f"jobs/{job_id}/{stored}"
    assert name in audio_names(jobs)
    await jobs.run()
    status = await jobs.status_json(job_id)
    assert status["status"] == "succeeded" and status["blob"] == name
    assert [output["name"] for output in status["outputs"]][:2] == [f"{name}.json", f"{name}.txt"]
    assert {f"{name}.{ext}" for ext in ("json", "txt", "srt", "vtt")} <= set(jobs.app.transcripts())
    assert status["audioRemovedAt"] and name not in audio_names(jobs)  # still the job's own copy


async def test_job_is_running_while_its_message_is_being_handled(jobs: Jobs, corpus: Path) -> None:
    import asyncio

    jobs.app.speech.delay(2.0)  # the service is still at work when the caller polls
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    running = asyncio.create_task(jobs.run())
    seen = set()
    while not running.done():
        seen.add((await jobs.status_json(accepted["id"]))["status"])
        await asyncio.sleep(0.1)
    assert "running" in seen and (await running)[0].status == "succeeded"
    assert (await jobs.status_json(accepted["id"]))["status"] == "succeeded"


async def test_job_delivered_twice_at_once_ends_once_succeeded_with_one_speech_call(
    jobs: Jobs, corpus: Path
) -> None:
    """At-least-once queues: a duplicate message runs beside the first (claims make one call),
    and whichever finds the audio gone afterwards still reads the outcome, not a failure."""
    from azure.storage.queue import QueueClient

    jobs.app.speech.delay(1.0)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    with QueueClient.from_connection_string(jobs.connection_string, jobs.queue) as queue:
        queue.send_message(json.dumps({"id": accepted["id"]}))  # the duplicate
    deliveries = await jobs.run()
    assert [d.status for d in deliveries] == ["succeeded", "succeeded"]
    assert len(jobs.app.speech.requests()) == 1
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and status["audioRemovedAt"]
    assert f"jobs/{accepted['id']}/audio" not in audio_names(jobs)


async def test_job_run_that_finds_its_audio_gone_after_its_end_reads_the_outcome(
    jobs: Jobs, corpus: Path
) -> None:
    """The late duplicate: the job ended (audio removed) but this run's record was read before."""
    from dataclasses import replace

    from transcriber.domain.statuses import RUNNING
    from transcriber.flows.jobs import records
    from transcriber.flows.jobs.outcome import end_job
    from transcriber.services import get_service

    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    service = get_service()
    stale = await records.read_job(service, accepted["id"])
    assert stale is not None
    await jobs.run()
    stale.status = RUNNING
    assert await end_job(service, replace(stale), outcome_status="gone") == "succeeded"  # record ended
    await records.write_job(service, replace(stale))  # as if the first run's final write were still to land
    assert await end_job(service, replace(stale), outcome_status="gone") == "succeeded"  # outputs decide
    assert (await jobs.status_json(accepted["id"]))["status"] == "succeeded"


async def test_job_runs_with_the_apps_defaults_as_api_transcribe_does(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job stores its caller's options only; it runs them over the app's defaults, the same
    definition /api/transcribe sends for the same request."""
    monkeypatch.setenv("TRANSCRIPTION_LOCALES", "en-GB")
    monkeypatch.setenv("TRANSCRIPTION_PROFANITY_MODE", "Masked")
    audio = (corpus / "cards-001.wav").read_bytes()
    direct = await jobs.app.call(
        "POST",
        "https://transcriber.azurewebsites.net/api/transcribe?profanity=Tags",
        audio,
        {"Content-Type": "audio/wav"},
    )
    assert direct.status_code == 200
    accepted = await jobs.submit(audio, "audio/wav", "profanity=Tags")
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded"
    assert (await jobs.status_json(accepted["id"]))["status"] == "succeeded"
    sync, job = jobs.app.speech.requests()
    assert job.definition == sync.definition
    assert job.definition["locales"] == ["en-GB"] and job.definition["profanityFilterMode"] == "Tags"
    result = json.loads((await jobs.status(accepted["id"], "format=json")).get_body())
    assert {phrase["locale"] for phrase in result["phrases"]} == {"en-GB"}


async def test_job_options_clashing_with_the_defaults_are_refused_like_api_transcribe(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS", "3")
    audio = (corpus / "cards-001.wav").read_bytes()
    for url in ("https://transcriber.azurewebsites.net/api/transcribe", URL):
        response = await jobs.app.call("POST", f"{url}?channels=0,1", audio, {"Content-Type": "audio/wav"})
        assert response.status_code == 400 and error_code(response) == "InvalidRequest"
        assert "diarization" in json.loads(response.get_body())["error"]["message"]
    assert await jobs.run() == [] and jobs.app.speech.requests() == []


@pytest.mark.parametrize("max_dequeue", [5, 3])
async def test_job_poisoned_before_blob_max_attempts_still_ends_failed(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch, max_dequeue: int
) -> None:
    """BLOB_MAX_ATTEMPTS above the queue's maxDequeueCount (host.json's 5, or an app setting's
    override): the try the queue poisons after is the job's last, so it never stays running."""
    import dataclasses

    monkeypatch.setenv("BLOB_MAX_ATTEMPTS", "10")
    if max_dequeue != jobs.app.host.queues.max_dequeue_count:  # the host honours the override too
        monkeypatch.setenv("AzureFunctionsJobHost__extensions__queues__maxDequeueCount", str(max_dequeue))
        queues = dataclasses.replace(jobs.app.host.queues, max_dequeue_count=max_dequeue)
        monkeypatch.setattr(jobs.app.host, "queues", queues)
    jobs.app.speech.fail(500, count=1000)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    [delivery] = await jobs.run()
    assert delivery.status == "poisoned" and len(delivery.invocations) == max_dequeue
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "failed" and status["attempts"] == max_dequeue
    record = jobs.app.failure_json(f"jobs/{accepted['id']}/audio")
    assert record["final"] is True and record["attempts"] == max_dequeue
    assert status["error"]["code"] == record["error"]["code"] and "retrying" not in status["error"]


async def test_job_whose_outcome_cannot_be_recorded_ends_failed_when_poisoned(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault before any failure record (here: the pipeline itself raising) on every try."""
    from transcriber.domain.errors import ServiceError
    from transcriber.flows import job_run as runner

    async def broken(*args: object, **kwargs: object) -> None:
        raise ServiceError("storage is unreachable")

    monkeypatch.setattr(runner, "process_blob", broken)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    [delivery] = await jobs.run()
    assert delivery.status == "poisoned"
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "failed" and status["error"]["code"] == ServiceError.code
