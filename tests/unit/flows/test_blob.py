"""The blob flow on fakes: one transcript set or one failure record per blob version."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.unit.builders import TRANSCRIPT_FORMATS, World, blob_invocation, build, wav
from tests.unit.errors import speech_failed, speech_rejected, storage_busy
from transcriber.adapters.telemetry import EVENT_COMPLETED, EVENT_FAILED
from transcriber.domain.errors import ContainerMissingError, ServiceError
from transcriber.domain.names import invalid_name_record, output_name
from transcriber.flows.blob import process_blob
from transcriber.flows.claims import HELD, RELEASED


async def deliver(world: World, name: str, retry_count: int | None = None) -> str:
    return (await process_blob(world.service, name, blob_invocation(retry_count))).status


async def test_a_recording_gets_its_transcript_set_one_speech_call_and_a_notice(world: World) -> None:
    etag = world.upload("meeting.wav")
    assert await deliver(world, "meeting.wav") == "transcribed"
    outcome = world.outcome("meeting.wav", etag)
    assert outcome.transcripts == TRANSCRIPT_FORMATS and outcome.record is None
    assert world.speech.answered == 1 and world.speech.requests[0].audio_bytes == len(wav())
    assert world.completions.visible() == [
        {
            "kind": "blob",
            "blob": "meeting.wav",
            "etag": etag,
            "status": "succeeded",
            "outputs": [f"meeting.wav.{fmt}" for fmt in TRANSCRIPT_FORMATS],
        }
    ]
    assert world.telemetry.event_names() == [EVENT_COMPLETED]
    assert world.claim("meeting.wav", etag)["state"] == HELD  # the version's mark stays


async def test_a_duplicate_delivery_calls_nobody_and_writes_nothing(world: World) -> None:
    etag = world.upload("twice.wav")
    await deliver(world, "twice.wav")
    before = world.store.snapshot()
    assert await deliver(world, "twice.wav") == "skipped"
    assert world.speech.answered == 1 and world.store.snapshot() == before
    assert world.outcome("twice.wav", etag).transcribed


async def test_concurrent_deliveries_of_one_version_make_one_speech_call() -> None:
    # a claim that outlives any stall of a busy machine: no delivery may take it over as stale
    world = build({"BLOB_CLAIM_TIMEOUT_SECONDS": "10"})
    etag = world.upload("crowd.wav")
    world.speech.delay = 0.05  # the first holder is still at work when the others look
    statuses = await asyncio.gather(*(deliver(world, "crowd.wav") for _ in range(5)))
    # none waits for the holder: each hands the version to the queue to look again later
    assert sorted(statuses) == ["deferred"] * 4 + ["transcribed"]
    assert await world.run_deferrals() == ["skipped"] * 4
    assert len(world.speech.requests) == 1
    assert world.outcome("crowd.wav", etag).transcripts == TRANSCRIPT_FORMATS


async def test_a_transient_fault_raises_counts_the_attempt_and_the_retry_clears_the_record(
    world: World,
) -> None:
    etag = world.upload("busy.wav")
    world.faults.next_calls("transcribe", speech_failed)
    with pytest.raises(ServiceError):
        await deliver(world, "busy.wav")
    record = world.outcome("busy.wav", etag).record
    assert record is not None
    assert (record["attempts"], record["final"], record["transient"]) == (1, False, True)
    assert world.claim("busy.wav", etag)["state"] == RELEASED  # the next delivery goes on at once
    assert world.completions.visible() == []  # no notice before the outcome is final
    assert await deliver(world, "busy.wav", retry_count=1) == "transcribed"
    outcome = world.outcome("busy.wav", etag)
    assert outcome.transcribed and outcome.record is None
    assert world.telemetry.event_names() == [EVENT_FAILED, EVENT_COMPLETED]


async def test_transient_faults_up_to_the_attempt_limit_end_in_a_final_record() -> None:
    world = build({"BLOB_MAX_ATTEMPTS": "3"})
    etag = world.upload("flaky.wav")
    world.faults.next_calls("transcribe", speech_failed, times=3)
    for retry in range(3):  # the last one too: the host sees the error, the record says final
        with pytest.raises(ServiceError):
            await deliver(world, "flaky.wav", retry)
    outcome = world.outcome("flaky.wav", etag)
    assert outcome.failed and outcome.record["attempts"] == 3 and outcome.transcripts == ()
    assert await deliver(world, "flaky.wav", 3) == "skipped"  # a late retry: the outcome stands
    assert len(world.speech.requests) == 3


async def test_audio_the_service_rejects_fails_for_good_at_once(world: World) -> None:
    etag = world.upload("garbled.wav")
    world.faults.next_calls("transcribe", speech_rejected)
    assert await deliver(world, "garbled.wav") == "failed"
    record = world.outcome("garbled.wav", etag).record
    assert record is not None and record["final"] and record["error"]["code"] == "InvalidAudioFormat"
    assert world.store.names(world.settings.transcripts_container) == []
    assert [m["status"] for m in world.completions.visible()] == ["failed"]


async def test_text_is_refused_before_speech_is_called(world: World) -> None:
    etag = world.upload("notes.wav", b"meeting notes, not audio", "text/plain")
    assert await deliver(world, "notes.wav") == "failed"
    assert world.outcome("notes.wav", etag).record["error"]["code"] == "UnsupportedMediaType"
    assert world.speech.requests == []


async def test_a_new_version_after_a_failure_is_transcribed_and_the_record_removed(world: World) -> None:
    world.upload("retake.wav", b"plain text", "text/plain")
    assert await deliver(world, "retake.wav") == "failed"
    etag = world.upload("retake.wav")  # the user uploads the right file under the same name
    assert await deliver(world, "retake.wav") == "transcribed"
    outcome = world.outcome("retake.wav", etag)
    assert outcome.transcripts == TRANSCRIPT_FORMATS and outcome.record is None
    assert world.store.names(world.settings.failures_container, "failed/") == []


async def test_a_new_version_that_fails_takes_the_old_transcript_set_with_it(world: World) -> None:
    world.upload("swap.wav")
    assert await deliver(world, "swap.wav") == "transcribed"
    etag = world.upload("swap.wav", b"now a text file", "text/plain")
    assert await deliver(world, "swap.wav") == "failed"
    outcome = world.outcome("swap.wav", etag)
    assert outcome.failed and outcome.transcripts == () and outcome.stale_transcripts == ()


async def test_a_storage_fault_mid_set_leaves_no_outcome_until_the_retry_completes_it(world: World) -> None:
    etag = world.upload("half.wav")
    writes = world.faults.calls["write"]
    world.faults.on_call("write", writes + 3, storage_busy)  # the claim, one format, then this one
    with pytest.raises(ServiceError):
        await deliver(world, "half.wav")
    outcome = world.outcome("half.wav", etag)
    assert not outcome.transcribed and not outcome.failed  # no JSON marker: the set is not an outcome
    assert await deliver(world, "half.wav", 1) == "transcribed"
    outcome = world.outcome("half.wav", etag)
    assert outcome.transcripts == TRANSCRIPT_FORMATS and outcome.record is None


async def test_a_claim_whose_reply_was_lost_is_taken_over_once_stale(world: World) -> None:
    etag = world.upload("lost.wav")
    world.faults.next_calls("write", storage_busy, after=True)  # the claim is made, its reply lost
    with pytest.raises(ServiceError):
        await deliver(world, "lost.wav")
    assert world.claim("lost.wav", etag)["state"] == HELD
    assert await deliver(world, "lost.wav", 1) == "deferred"  # the retry does not wait for the claim
    assert [m.visible_at - time.monotonic() > 0 for m in world.jobs.messages] == [True]
    await asyncio.sleep(world.settings.claim_timeout_seconds)  # BLOB_CLAIM_TIMEOUT_SECONDS: now stale
    assert await world.run_deferrals() == ["transcribed"]
    assert world.outcome("lost.wav", etag).transcribed and len(world.speech.requests) == 1


async def test_a_blob_gone_before_it_is_read_is_reported_gone(world: World) -> None:
    assert await deliver(world, "never-there.wav") == "gone"
    assert world.speech.requests == [] and world.store.names(world.settings.failures_container) == []


@pytest.mark.parametrize("name", ["%2e%2e/escape.wav", "c\x01.wav", "x" * 1025])
async def test_a_name_no_client_may_touch_gets_a_record_that_fits(world: World, name: str) -> None:
    outcome = await process_blob(world.service, name, blob_invocation())
    assert outcome.status == "failed" and outcome.outputs == [invalid_name_record(name)]
    assert world.store.names(world.settings.failures_container) == [invalid_name_record(name)]
    assert world.speech.requests == []


async def test_missing_containers_without_leave_to_create_raise_before_anything_is_read() -> None:
    world = build({"CREATE_CONTAINERS": "false"})
    world.upload("early.wav")
    with pytest.raises(ContainerMissingError):
        await deliver(world, "early.wav")
    assert world.faults.calls["read_start"] == 0 and world.speech.requests == []


async def test_a_permanent_failure_whose_record_cannot_be_written_raises_and_the_retry_records_it(
    world: World,
) -> None:
    etag = world.upload("unrecorded.wav", b"meeting notes, not audio", "text/plain")
    world.faults.on_call("write", world.faults.calls["write"] + 2, storage_busy)  # the claim, then the record
    with pytest.raises(ServiceError):  # no outcome stands: the host must deliver it again
        await deliver(world, "unrecorded.wav")
    assert world.outcome("unrecorded.wav", etag).record is None and world.completions.visible() == []
    assert await deliver(world, "unrecorded.wav", 1) == "failed"
    outcome = world.outcome("unrecorded.wav", etag)
    assert outcome.failed and outcome.record["error"]["code"] == "UnsupportedMediaType"
    assert [m["status"] for m in world.completions.visible()] == ["failed"]


async def test_a_lost_reply_to_the_json_write_keeps_the_set_and_the_retry_removes_the_record(
    world: World,
) -> None:
    etag = world.upload("echo.wav")
    writes = world.faults.calls["write"]
    world.faults.on_call("write", writes + 5, storage_busy, after=True)  # the claim, 3 formats, the JSON
    with pytest.raises(ServiceError):
        await deliver(world, "echo.wav")
    outcome = world.outcome("echo.wav", etag)
    assert outcome.transcribed and outcome.record is not None and not outcome.record["final"]
    assert await deliver(world, "echo.wav", 1) == "skipped"
    outcome = world.outcome("echo.wav", etag)
    assert outcome.transcripts == TRANSCRIPT_FORMATS and outcome.record is None
    assert len(world.speech.requests) == 1


async def test_a_final_failure_whose_removal_fails_records_nothing_until_a_retry_ends_it() -> None:
    world = build({"BLOB_MAX_ATTEMPTS": "1"})
    etag = world.upload("torn.wav")
    writes, deletes = world.faults.calls["write"], world.faults.calls["delete"]
    world.faults.on_call("write", writes + 4, storage_busy)  # the claim, two formats, then the third
    world.faults.on_call("delete", deletes + 3, storage_busy)  # the old record, the JSON, then the text
    with pytest.raises(ServiceError):
        await deliver(world, "torn.wav")
    outcome = world.outcome("torn.wav", etag)
    assert outcome.transcripts == ("txt", "srt") and outcome.record is None  # part of a set, no record
    assert await deliver(world, "torn.wav", 1) == "transcribed"
    outcome = world.outcome("torn.wav", etag)
    assert outcome.transcripts == TRANSCRIPT_FORMATS and outcome.record is None


async def test_a_failed_format_write_cancels_a_slow_one_before_the_set_is_removed() -> None:
    world = build({"BLOB_MAX_ATTEMPTS": "1"})
    etag = world.upload("slow.wav")
    world.store.slow_writes[output_name("slow.wav", "vtt")] = 0.05
    world.faults.on_call("write", world.faults.calls["write"] + 2, storage_busy)  # the claim, then the text
    with pytest.raises(ServiceError):
        await deliver(world, "slow.wav")
    await asyncio.sleep(0.1)  # long after the slow write would have landed
    outcome = world.outcome("slow.wav", etag)
    assert outcome.failed and outcome.transcripts == ()
