"""Backpressure on fakes: a busy Speech defers a version through the queue, never fails it."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.builders import World, blob_invocation, build
from tests.unit.errors import speech_failed, speech_throttled
from transcriber.adapters.telemetry import METRIC_DEFERRALS, METRIC_THROTTLED
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.deferred_version import DeferredVersion
from transcriber.domain.errors import ServiceError, ServiceThrottledError
from transcriber.domain.names import claim_name
from transcriber.flows.blob import process_blob
from transcriber.flows.claims import HELD


async def deliver(world: World, name: str) -> str:
    return (await process_blob(world.service, name, blob_invocation())).status


def throttled_for(seconds: int) -> ServiceThrottledError:
    return ServiceThrottledError("Too many requests", status=429, retry_after=seconds)


async def test_a_throttle_defers_the_version_keeping_its_claim_and_spending_no_attempt(world: World) -> None:
    etag = world.upload("busy.wav")
    world.faults.next_calls("transcribe", lambda: throttled_for(30))
    started = time.monotonic()
    assert await deliver(world, "busy.wav") == "deferred"
    assert world.outcome("busy.wav", etag).record is None  # no failure record: no attempt spent
    claim = world.claim("busy.wav", etag)
    assert claim["state"] == HELD and claim["deferrals"] == 1 and claim["deferredUntil"]
    [message] = world.jobs.messages
    assert message.visible_at - started >= 30  # never sooner than the service's Retry-After
    deferred = DeferredVersion.parse(message.text)
    assert deferred is not None and (deferred.blob, deferred.etag, deferred.owner) == (
        "busy.wav",
        etag,
        claim["owner"],
    )
    assert [p.name for p in world.telemetry.metrics if p.name in (METRIC_THROTTLED, METRIC_DEFERRALS)] == [
        METRIC_THROTTLED,
        METRIC_DEFERRALS,
    ]
    assert await world.run_deferrals() == ["transcribed"]
    assert world.outcome("busy.wav", etag).transcribed and world.speech.answered == 1


async def test_more_throttles_than_attempts_still_end_in_a_transcript() -> None:
    world = build({"BLOB_MAX_ATTEMPTS": "2"})
    etag = world.upload("backlog.wav")
    world.faults.next_calls("transcribe", speech_throttled, times=7)
    assert await deliver(world, "backlog.wav") == "deferred"
    assert await world.run_deferrals() == ["deferred"] * 6 + ["transcribed"]
    assert world.outcome("backlog.wav", etag).transcribed
    assert world.outcome("backlog.wav", etag).record is None  # no throttle was ever an attempt


async def test_a_wait_past_max_deferral_hours_is_a_final_failure_naming_it() -> None:
    world = build({"MAX_DEFERRAL_HOURS": "1"})
    etag = world.upload("forever.wav")
    world.faults.next_calls("transcribe", speech_throttled)
    assert await deliver(world, "forever.wav") == "deferred"
    info = BlobInfo(world.settings.audio_container, "forever.wav", etag, 0, None)
    stored = world.store.blob(world.settings.failures_container, claim_name(info))
    claim = json.loads(stored.data)
    claim["deferredSince"] = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    stored.data = json.dumps(claim).encode()  # the first deferral was two hours ago
    world.faults.next_calls("transcribe", speech_throttled)
    assert await world.run_deferrals() == ["failed"]
    outcome = world.outcome("forever.wav", etag)
    assert outcome.failed and outcome.record["error"]["code"] == "ThrottledTooLong"
    assert [m["status"] for m in world.completions.visible()] == ["failed"]


async def test_a_duplicate_event_for_a_deferred_version_leaves_it_to_its_message(world: World) -> None:
    etag = world.upload("twice.wav")
    world.faults.next_calls("transcribe", speech_throttled)
    assert await deliver(world, "twice.wav") == "deferred"
    assert await deliver(world, "twice.wav") == "deferred"
    assert len(world.jobs.messages) == 1 and len(world.speech.requests) == 1
    assert await world.run_deferrals() == ["transcribed"]
    assert world.outcome("twice.wav", etag).transcribed


async def test_a_deferral_the_queue_refuses_releases_the_claim_and_raises_for_a_retry(world: World) -> None:
    etag = world.upload("lost.wav")
    world.faults.next_calls("transcribe", speech_throttled)
    world.faults.next_calls("send", lambda: ServiceError("queue refused", code="QueueError"))
    try:
        await deliver(world, "lost.wav")
    except ServiceError as exc:
        assert exc.code == "QueueError"
    else:
        raise AssertionError("the delivery must fail so that the host retries it")
    assert world.claim("lost.wav", etag)["state"] == "released"
    assert await deliver(world, "lost.wav") == "transcribed"


async def test_the_instance_paces_itself_and_defers_what_it_cannot_send_soon() -> None:
    world = build({"SPEECH_REQUESTS_PER_MINUTE": "3"})  # one request every 20 s: longer than the patience
    etags = [world.upload(f"paced-{n}.wav") for n in range(3)]
    statuses = await asyncio.gather(*(deliver(world, f"paced-{n}.wav") for n in range(3)))
    assert sorted(statuses) == ["deferred", "deferred", "transcribed"]
    assert len(world.speech.requests) == 1  # the others never reached the service
    delays = sorted(m.visible_at - time.monotonic() for m in world.jobs.messages)
    assert delays[0] >= 15 and delays[1] >= delays[0] + 15  # back about one slot (20 s) apart
    assert all(world.outcome(f"paced-{n}.wav", etag).record is None for n, etag in enumerate(etags))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    faults=st.lists(st.sampled_from(["throttle", "fail", "ok"]), min_size=1, max_size=12),
    duplicates=st.integers(min_value=1, max_value=3),
)
def test_under_throttles_faults_and_duplicates_each_version_ends_with_exactly_one_outcome(
    faults: list[str], duplicates: int
) -> None:
    async def run() -> None:
        world = build({"BLOB_MAX_ATTEMPTS": "3"})
        etag = world.upload("prop.wav")
        for kind in faults:
            if kind == "throttle":
                world.faults.next_calls("transcribe", speech_throttled)
            elif kind == "fail":
                world.faults.next_calls("transcribe", speech_failed)
        statuses: list[str] = []
        for retry in range(5):  # the host's tries of each event, while they fail
            results = await asyncio.gather(
                *(process_blob(world.service, "prop.wav", blob_invocation(retry)) for _ in range(duplicates)),
                return_exceptions=True,
            )
            statuses += [r.status for r in results if not isinstance(r, BaseException)]
            if not any(isinstance(r, BaseException) for r in results):
                break
        for _ in range(20):
            await asyncio.sleep(world.settings.claim_timeout_seconds * 0.2)
            try:
                await world.run_deferrals()
            except ServiceError:
                continue  # a queue try that failed: the queue retries it
            if not world.jobs.messages:
                break
        outcome = world.outcome("prop.wav", etag)
        assert outcome.transcribed != outcome.failed, (faults, statuses, outcome)
        failures = faults.count("fail")
        if outcome.failed:  # only real failures count, never a throttle
            assert outcome.record["error"]["code"] != "TooManyRequests"
            assert failures >= 3
        assert world.speech.answered <= 1

    asyncio.run(run())
