"""A burst larger than the Speech quota, through the project's host: every recording is
transcribed, none fails, none is transcribed twice (docs/ARCHITECTURE.md, "Backpressure").

The emulator's quota mode answers 429 with Retry-After beyond its token bucket, as the service
does; the app is not told the quota. Events go through the host with its immediate retries and
parallelism, 10% of them twice at once, and the jobs queue's listener brings deferred versions
back. bench/bench_burst.py measures the same at 1,000 recordings; this holds the invariant.
"""

from __future__ import annotations

import asyncio
import io
import logging
import random
import time
import wave
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueClient

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost, QueueDelivery
from devtools.speech_emulator import RunningEmulator
from tests.fixtures.functions import AppUnderTest
from tests.stress.app_settings import configure_stress_app
from transcriber.services import reset_service

BLOBS = 60
QUOTA_PER_MINUTE = 120  # two a second: the burst is about 30 s of quota
QUOTA_BURST = 5
DUPLICATE_RATE = 0.10
JOBS_FUNCTION = "run_transcription_job"
DRAIN_SECONDS = 300


def _wav(frames: int) -> bytes:
    """A short silent WAV of its own length, so the journal tells the recordings apart."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


@pytest.fixture
async def quota_app(
    functions_host: FunctionsHost,
    azurite: Azurite,
    speech_emulator_factory: Callable[..., RunningEmulator],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AppUnderTest]:
    speech = speech_emulator_factory(engine="echo", quota_rpm=QUOTA_PER_MINUTE, quota_burst=QUOTA_BURST)
    containers = configure_stress_app(monkeypatch, functions_host, azurite.connection_string, speech)
    queue = functions_host.functions[JOBS_FUNCTION].trigger["queueName"]
    storage = BlobServiceClient.from_connection_string(azurite.connection_string)
    storage.create_container(containers.audio)
    with QueueClient.from_connection_string(azurite.connection_string, queue) as client:
        try:
            client.create_queue()
        except ResourceExistsError:
            client.clear_messages()  # nothing another test left behind is ours to run
    await reset_service()
    try:
        yield AppUnderTest(functions_host, storage, containers, speech)
    finally:
        await reset_service()
        storage.close()


async def _queue_emptied(connection_string: str, queue: str) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    with QueueClient.from_connection_string(connection_string, queue) as client:
        while time.monotonic() < deadline:
            try:
                if client.get_queue_properties().approximate_message_count == 0:
                    return
            except ResourceNotFoundError:
                return
            await asyncio.sleep(0.5)
    raise AssertionError(f"deferred versions still queued after {DRAIN_SECONDS} s")


async def test_a_burst_over_the_quota_is_transcribed_whole_with_no_failure_and_no_double_call(
    quota_app: AppUnderTest, azurite: Azurite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL)
    rng = random.Random(22)
    sizes = {f"burst-{n:03}.wav": 800 + 16 * n for n in range(BLOBS)}
    etags = {name: quota_app.upload(name, _wav(frames)) for name, frames in sizes.items()}
    by_bytes = {len(_wav(frames)): name for name, frames in sizes.items()}
    runs = Counter[str]()

    def ran(delivery: QueueDelivery) -> None:
        runs[delivery.status] += 1

    queue = quota_app.host.functions[JOBS_FUNCTION].trigger["queueName"]
    listening = asyncio.create_task(
        quota_app.host.queue_listener(JOBS_FUNCTION).listen(ran, max_interval=0.5)
    )
    try:
        events = [name for name in sizes for _ in range(2 if rng.random() < DUPLICATE_RATE else 1)]
        deliveries = await asyncio.gather(*(quota_app.blob_event(name) for name in events))
        await _queue_emptied(azurite.connection_string, queue)
    finally:
        listening.cancel()

    journal = quota_app.speech.requests()
    throttled = sum(1 for entry in journal if entry.status == 429)
    answered = Counter(
        by_bytes[e.audio_bytes] for e in journal if e.status == 200 and e.audio_bytes in by_bytes
    )
    figures = (
        f"{len(events)} events for {BLOBS} recordings, {len(journal)} Speech requests, {throttled} 429s, "
        f"{sum(runs.values())} queue runs {dict(runs)}"
    )
    assert {d.status for d in deliveries} == {"succeeded"}, figures  # no event failed, none poisoned
    assert throttled > 0, "the burst never met the quota: " + figures
    assert answered == Counter(dict.fromkeys(sizes, 1)), figures  # each recording answered once
    transcripts = quota_app.storage.get_container_client(quota_app.containers.transcripts)
    marks = {b.name: b.metadata.get("sourceetag") for b in transcripts.list_blobs(include=["metadata"])}
    assert {name: marks.get(f"{name}.json") for name in sizes} == etags, figures
    assert quota_app.failures() == {}, figures  # not one failure record, final or not
    assert runs["poisoned"] == 0, figures
