"""A TranscriptionService made of fakes, from a settings dict; and what a blob version ended with."""

from __future__ import annotations

import asyncio
import io
import json
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from tests.unit.fakes import (
    FakeBlobStore,
    FakeBudgetTable,
    FakeJobQueue,
    FakeSpeech,
    FaultPlan,
    RecordingTelemetry,
)
from transcriber.adapters.blob_store import ETAG_METADATA, BlobStore
from transcriber.adapters.budget_table import BudgetTable
from transcriber.adapters.queues import JobQueue
from transcriber.adapters.speech import SpeechClient
from transcriber.config import Settings
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.deferred_version import DeferredVersion
from transcriber.domain.invocation import Invocation
from transcriber.domain.memory_budget import MemoryBudget
from transcriber.domain.names import claim_name, failure_name, output_name
from transcriber.flows.job_run import run_deferred
from transcriber.services import TranscriptionService

ENVIRON = {
    "AZURE_SPEECH_ENDPOINT": "https://speech.example.invalid",
    "AudioStorage": "UseDevelopmentStorage=true",
    "BLOB_CLAIM_TIMEOUT_SECONDS": "1",  # a dead holder's claim goes stale in a second
    "COMPLETION_QUEUE": "completions",
}
TRANSCRIPT_FORMATS = ("json", "txt", "srt", "vtt")


def wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of silence: passes the audio checks, declares its duration."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


@dataclass
class Outcome:
    """One blob version's outcome as stored: its transcript set's files, its failure record."""

    transcripts: tuple[str, ...]  # formats present whose source etag is this version's
    stale_transcripts: tuple[str, ...]  # formats present for another version
    record: dict[str, Any] | None  # the name's failure record, if it is this version's

    @property
    def transcribed(self) -> bool:
        return "json" in self.transcripts

    @property
    def failed(self) -> bool:
        return self.record is not None and bool(self.record.get("final"))


@dataclass
class World:
    """The service and its fakes; `faults` is shared by storage, Speech and the queues."""

    service: TranscriptionService
    store: FakeBlobStore
    speech: FakeSpeech
    jobs: FakeJobQueue
    completions: FakeJobQueue
    telemetry: RecordingTelemetry
    faults: FaultPlan
    budget: FakeBudgetTable

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def upload(self, name: str, data: bytes | None = None, content_type: str = "audio/wav") -> str:
        return self.store.upload(
            self.settings.audio_container, name, wav() if data is None else data, content_type
        )

    def outcome(self, name: str, etag: str) -> Outcome:
        settings, store = self.settings, self.store
        present, stale = [], []
        for fmt in TRANSCRIPT_FORMATS:
            stored = store.blob(settings.transcripts_container, output_name(name, fmt))
            if stored is not None:
                (present if stored.metadata.get(ETAG_METADATA) == etag else stale).append(fmt)
        stored = store.blob(settings.failures_container, failure_name(name))
        record = json.loads(stored.data) if stored else None
        if record is not None and record.get("source", {}).get("etag") != etag:
            record = None
        return Outcome(tuple(present), tuple(stale), record)

    async def run_deferrals(self, rounds: int = 10, pause: float = 0.0) -> list[str]:
        """Every deferred version on the jobs queue, its delay skipped (the test's clock jumps),
        run as the queue trigger runs it (a try that raises is tried again, up to the queue's
        maxDequeueCount, then "poisoned"), until none is left or after `rounds` rounds, `pause`
        seconds apart (real time: a claim goes stale); returns the statuses."""
        statuses: list[str] = []
        for round_ in range(rounds):
            messages, self.jobs.messages = self.jobs.messages, []
            if not messages:
                break
            if round_ and pause:
                await asyncio.sleep(pause)
            self.speech.time_passes()
            for message in messages:
                deferred = DeferredVersion.parse(message.text)
                assert deferred is not None, message.text
                statuses.append(await self._run_message(deferred))
        return statuses

    async def _run_message(self, deferred: DeferredVersion) -> str:
        for dequeue_count in range(1, self.settings.queue_max_dequeue_count + 1):
            try:
                return await run_deferred(self.service, deferred, dequeue_count, blob_invocation())
            except Exception:  # the queue makes the message visible again: the next try
                await asyncio.sleep(0)
        return "poisoned"

    def claim(self, name: str, etag: str) -> dict[str, Any] | None:
        """The version's claim record (`transcriber.flows.claims`), if it has one."""
        info = BlobInfo(self.settings.audio_container, name, etag, 0, None)
        stored = self.store.blob(self.settings.failures_container, claim_name(info))
        return json.loads(stored.data) if stored else None


def build(environ: Mapping[str, str] | None = None, *, faults: FaultPlan | None = None) -> World:
    """The service from `ENVIRON` updated by `environ`, its clients fakes sharing one fault plan."""
    settings = Settings.from_environ({**ENVIRON, **(environ or {})})
    faults = faults or FaultPlan()
    store = FakeBlobStore(
        settings.storage, containers=settings.containers, existing=(settings.audio_container,), faults=faults
    )
    telemetry = RecordingTelemetry()
    speech = FakeSpeech(settings.speech, faults=faults, telemetry=telemetry)
    jobs = FakeJobQueue(settings.jobs_queue, faults=faults)
    completions = FakeJobQueue(settings.completion_queue or "completions", faults=faults)
    budget = FakeBudgetTable(settings.budget.table)
    service = TranscriptionService(
        settings=settings,
        speech=cast(SpeechClient, speech),
        store=cast(BlobStore, store),
        telemetry=telemetry,
        audio_memory=MemoryBudget(settings.audio_memory_bytes),
        jobs=cast(JobQueue, jobs),
        completions=cast(JobQueue, completions),
        budget=cast(BudgetTable, budget) if settings.budget.enabled else None,
    )
    return World(service, store, speech, jobs, completions, telemetry, faults, budget)


def blob_invocation(retry_count: int | None = None) -> Invocation:
    return Invocation(function="transcribe_blob", invocation_id="unit", retry_count=retry_count)
