"""The exactly-one invariant as a property: whatever the duplicates, the concurrency and the
faults, every blob version ends with its transcript set or its final failure record, never both.

The host is modelled as the Functions host treats a blob trigger: a delivery that raises is
retried (retry_count 1, 2, ...) until it returns or poisonBlobThreshold (host.json: 5) tries
have failed. Faults are fewer than that, so every delivery ends by returning. Versions the app
defers (a throttle, a claim another delivery holds) come back through the jobs queue, run as
its trigger runs them, until the queue is empty. Every storage
operation can fail before its request or lose its reply after it (the failure record's write,
the transcript JSON's, a delete of the set after a final failure included).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.builders import TRANSCRIPT_FORMATS, World, blob_invocation, build, wav
from tests.unit.errors import speech_failed, speech_rejected, speech_throttled, storage_busy
from transcriber.flows.blob import process_blob

NAME = "song.wav"
POISON_BLOB_THRESHOLD = 5
STORAGE_OPERATIONS = ("read_start", "read_record", "source_etag", "write", "delete", "properties")
SPEECH_ERRORS = {"throttled": speech_throttled, "failed": speech_failed, "rejected": speech_rejected}


@dataclass(frozen=True)
class PlannedFault:
    operation: str
    call: int
    after: bool
    speech_error: str


faults = st.builds(
    PlannedFault,
    operation=st.sampled_from((*STORAGE_OPERATIONS, "transcribe", "transcribe", "send")),
    call=st.integers(1, 24),
    after=st.booleans(),
    speech_error=st.sampled_from(sorted(SPEECH_ERRORS)),
)


async def host_delivers(world: World, name: str) -> str:
    for retry in range(POISON_BLOB_THRESHOLD):
        try:
            return (await process_blob(world.service, name, blob_invocation(retry))).status
        except Exception:  # the host logs it and delivers the blob again
            await asyncio.sleep(0)
    return "poisoned"


async def run_schedule(
    audio: bool, max_attempts: int, plan: list[PlannedFault], waves: list[int], delay: float
) -> tuple[World, str, list[str]]:
    world = build({"BLOB_MAX_ATTEMPTS": str(max_attempts)})
    etag = world.upload(NAME, wav() if audio else b"lyrics, not a recording", "audio/wav")
    world.speech.delay = delay
    for fault in plan:
        speech = fault.operation == "transcribe"
        error = SPEECH_ERRORS[fault.speech_error] if speech else storage_busy
        after = fault.after and not speech
        world.faults.on_call(fault.operation, fault.call, error, after=after)
    statuses: list[str] = []
    for deliveries in waves:  # each wave: duplicates delivered at once; waves: late duplicates
        statuses += await asyncio.gather(*(host_delivers(world, NAME) for _ in range(deliveries)))
    # deferred versions come back; a claim left by a holder that died goes stale in a second
    statuses += await world.run_deferrals(rounds=40, pause=world.settings.claim_timeout_seconds / 4)
    assert world.jobs.messages == [], "deferred versions still queued"
    return world, etag, statuses


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    audio=st.booleans(),
    max_attempts=st.integers(1, 4),
    plan=st.lists(faults, max_size=POISON_BLOB_THRESHOLD - 1),
    waves=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    delay=st.sampled_from((0.0, 0.0, 0.01)),
)
def test_every_version_ends_with_exactly_one_outcome(
    audio: bool, max_attempts: int, plan: list[PlannedFault], waves: list[int], delay: float
) -> None:
    world, etag, statuses = asyncio.run(run_schedule(audio, max_attempts, plan, waves, delay))
    outcome = world.outcome(NAME, etag)
    assert "poisoned" not in statuses, (statuses, world.faults.injected)
    transcribed = outcome.transcripts == TRANSCRIPT_FORMATS and outcome.record is None
    failed = outcome.failed and outcome.transcripts == () and outcome.stale_transcripts == ()
    assert transcribed != failed, (outcome, statuses, world.faults.injected)
    assert not (transcribed and not audio)
