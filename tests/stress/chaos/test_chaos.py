"""Exactly one outcome per blob version under duplicate and concurrent deliveries, Speech faults
of every kind and a storage restart.

Every event goes through the project's host (devtools/functions_host: Microsoft's runtime, the
host's retries until host.json's poisonBlobThreshold, then the poison queue). Versions the app
defers (a 429, a claim another delivery holds) come back through the jobs queue, whose listener
runs all along, as the host's does. Seeded (the seed is printed with the figures); `make chaos
N=2000` runs a bigger one.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter

import pytest
from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from devtools.azurite import Azurite
from devtools.functions_host import HostStorageError, QueueDelivery
from devtools.speech_emulator import JournalEntry
from tests.fixtures.functions import AppUnderTest
from tests.stress.chaos.conftest import CHAOS_BLOBS, CHAOS_SEED, FIGURES
from tests.stress.chaos.outcomes import Figures, Verdict, verdicts
from tests.stress.chaos.population import ChaosBlob, population

CONCURRENCY = 8  # events in flight; the host runs maxDegreeOfParallelism of them at once
DUPLICATE_RATE = 0.10  # events delivered twice at once
LATE_DUPLICATE_RATE = 0.05  # events delivered again once everything is done
FAULT_RATE = 0.25  # per event of a recording: about 20% of Speech requests see a fault
RESTART_AT = 0.4  # the share of events done when storage goes down
OUTAGE_SECONDS = 2.0
FAULT_KINDS = ("status 429", "status 500", "status 503", "delay", "drop")
EXPECTED_CODES = {"text": "UnsupportedMediaType", "empty": "EmptyAudioFile", "hostile": "InvalidBlobName"}
JOBS_FUNCTION = "run_transcription_job"
DRAIN_SECONDS = 120  # deferred versions come back within seconds (Retry-After 0, a look again in ~4 s)


def _arm_fault(app: AppUnderTest, rng: random.Random, faults: Counter[str]) -> None:
    kind = rng.choice(FAULT_KINDS)
    faults[kind] += 1
    if kind.startswith("status"):
        app.speech.fail(int(kind.split()[1]), retry_after=0 if kind.endswith("429") else None)
    elif kind == "delay":
        app.speech.delay(rng.uniform(0.1, 0.8))
    else:
        app.speech.drop()


async def _deliver(app: AppUnderTest, name: str, statuses: Counter[str]) -> None:
    """One event through the host. Should the host itself not reach storage (the outage), its
    next scan finds the blob again: deliver again."""
    for _ in range(20):
        try:
            delivery = await app.blob_event(name)
        except HostStorageError:
            statuses["redelivered (the host could not read the blob)"] += 1
            await asyncio.sleep(1.0)
            continue
        statuses[delivery.status] += 1
        return
    raise AssertionError(f"the host could not read {name!r} for 20 tries")


async def test_chaos_every_blob_version_ends_with_exactly_one_outcome(
    chaos_app: AppUnderTest, persistent_azurite: Azurite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL)  # thousands of expected WARNINGs; the outcome is in storage
    rng = random.Random(CHAOS_SEED)
    blobs = population(CHAOS_BLOBS, rng)
    etags = {b.name: chaos_app.upload(b.name, b.data, b.content_type) for b in blobs}
    faults, statuses = Counter[str](), Counter[str]()
    semaphore = asyncio.Semaphore(CONCURRENCY)
    progress = {"done": 0, "restart_seconds": 0.0}
    restart = asyncio.Lock()

    async def outage() -> None:
        async with restart:
            if progress["restart_seconds"]:
                return
            started = time.perf_counter()
            persistent_azurite.stop()  # in this thread: Azurite dies with the thread that started it
            await asyncio.sleep(OUTAGE_SECONDS)  # meanwhile every storage call is refused
            persistent_azurite.start()
            progress["restart_seconds"] = time.perf_counter() - started

    async def run(blob: ChaosBlob, copies: int) -> None:
        async with semaphore:
            if blob.kind == "audio" and rng.random() < FAULT_RATE:
                _arm_fault(chaos_app, rng, faults)
            await asyncio.gather(*(_deliver(chaos_app, blob.name, statuses) for _ in range(copies)))
        progress["done"] += 1
        if progress["done"] >= RESTART_AT * len(blobs):
            await outage()

    queue_runs = Counter[str]()

    def ran(delivery: QueueDelivery) -> None:
        queue_runs[delivery.status] += 1

    listener = chaos_app.host.queue_listener(JOBS_FUNCTION)
    listening = asyncio.create_task(listener.listen(ran, max_interval=0.5))
    started = time.perf_counter()
    plan = [(blob, 2 if rng.random() < DUPLICATE_RATE else 1) for blob in blobs]
    try:
        await asyncio.gather(*(run(blob, copies) for blob, copies in plan))
        await _queue_emptied(persistent_azurite, chaos_app.host.functions[JOBS_FUNCTION].trigger["queueName"])
    finally:
        listening.cancel()
    late = [blob for blob in blobs if rng.random() < LATE_DUPLICATE_RATE]
    journal = chaos_app.speech.requests()
    chaos_app.speech.reset()  # no fault left armed for the late duplicates: they must do nothing
    await asyncio.gather(*(_deliver(chaos_app, blob.name, statuses) for blob in late))
    late_requests = len(chaos_app.speech.requests())
    seconds = time.perf_counter() - started

    results, claims_left = verdicts(chaos_app.storage, chaos_app.containers, blobs, etags)
    duplicates = sum(copies - 1 for _, copies in plan) + len(late)
    figures = _figures(journal, results, claims_left, faults, duplicates, statuses, progress, seconds)
    figures.queue_runs = queue_runs
    FIGURES[:] = figures.lines()
    report = "\n".join(figures.lines())
    assert figures.outcomes["lost"] == 0 and figures.outcomes["both"] == 0, report
    assert figures.most_successes_for_one_version <= 1, report
    assert queue_runs["succeeded"] > 0 and queue_runs["poisoned"] == 0, report  # deferrals came back
    assert late_requests == 0, "a repeated event for a finished blob version called Speech"
    assert progress["restart_seconds"] > 0
    consumed = {
        " ".join(e.fault.split()[:2]) if e.fault.startswith("status") else e.fault.split()[0]
        for e in journal
        if e.fault
    }
    assert consumed == set(FAULT_KINDS), f"fault kinds that reached Speech: {sorted(consumed)}"
    for verdict in results:
        if verdict.blob.kind in EXPECTED_CODES:
            assert verdict.final_record and verdict.record is not None, verdict.blob.name
            assert verdict.record["error"]["code"] == EXPECTED_CODES[verdict.blob.kind], verdict.blob.name


async def _queue_emptied(azurite: Azurite, queue: str) -> None:
    """Wait until the jobs queue holds no message, visible or delayed (the listener runs them)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    with QueueClient.from_connection_string(azurite.connection_string, queue) as client:
        while time.monotonic() < deadline:
            try:
                if client.get_queue_properties().approximate_message_count == 0:
                    return
            except ResourceNotFoundError:  # never made: nothing was deferred
                return
            except AzureError:  # storage restarting: look again
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"deferred versions still queued after {DRAIN_SECONDS} s")


def _figures(
    journal: list[JournalEntry],
    results: list[Verdict],
    claims_left: int,
    faults: Counter[str],
    duplicates: int,
    statuses: Counter[str],
    progress: dict[str, float],
    seconds: float,
) -> Figures:
    by_size = {len(v.blob.data): v.blob.name for v in results if v.blob.kind == "audio"}
    successes = Counter(
        by_size[e.audio_bytes] for e in journal if e.status == 200 and e.audio_bytes in by_size
    )
    sent = sum(1 for v in results if v.blob.kind == "audio")
    details = [
        f"{v.outcome}: {v.blob.name!r}, record {v.record}" for v in results if v.outcome != "exactly-one"
    ]
    return Figures(
        seed=CHAOS_SEED,
        versions=len(results),
        outcomes=Counter(v.outcome for v in results),
        speech_successes_per_version=sum(successes.values()) / max(1, sent),
        speech_requests_per_version=len(journal) / max(1, sent),
        most_successes_for_one_version=max(successes.values(), default=0),
        faults=faults,
        duplicates=duplicates,
        deliveries=statuses,
        claims_left=claims_left,
        restart_seconds=progress["restart_seconds"],
        seconds=seconds,
        details=details,
    )
