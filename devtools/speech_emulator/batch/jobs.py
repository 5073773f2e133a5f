"""Batch transcription jobs: their state, what the status endpoint shows, and scripted outcomes.

A job moves NotStarted -> Running -> Succeeded | Failed as its worker task progresses. What a
GET shows can be held back by a `JobScript` armed by a test (`RunningEmulator.batch_script`):
stay NotStarted or Running for so many status polls or seconds, or end Failed with a given code
whatever the audio. The real service gives no timing guarantee ("at peak hours it might take up
to 30 minutes or longer for a transcription job to start processing", Microsoft's "Get batch
transcription results" page), so clients must cope with any of these.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from devtools.speech_emulator.batch.spec import BatchSpec

__all__ = ["BatchJob", "BatchJobs", "JobScript", "ResultFile", "Status", "iso_now"]

Status = Literal["NotStarted", "Running", "Succeeded", "Failed"]


def iso_now() -> str:
    """UTC now as the service writes timestamps: `2025-05-24T13:37:12Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class JobScript:
    """How one job's status is to look, whatever its worker does.

    `not_started_polls`/`running_polls`: how many status GETs at least answer NotStarted/Running
    (a job always shows Running once: it advances at most one step per GET);
    `running_seconds`: minimum time shown Running; `fail_code`: end Failed with
    `properties.error = {code: fail_code, message: fail_message}` instead of the real outcome.
    """

    not_started_polls: int = 0
    running_polls: int = 0
    running_seconds: float = 0.0
    fail_code: str | None = None
    fail_message: str | None = None

    def __post_init__(self) -> None:
        if min(self.not_started_polls, self.running_polls) < 0 or self.running_seconds < 0:
            raise ValueError("polls and seconds cannot be negative")


@dataclass
class ResultFile:
    """One file of a finished job: a result (`Transcription`) or the report."""

    id: str
    name: str
    kind: Literal["Transcription", "TranscriptionReport"]
    content: bytes
    created: str
    external_url: str | None = None  # where it was written in a destinationContainerUrl


@dataclass
class BatchJob:
    """One submitted transcription and everything the API shows of it."""

    id: str
    spec: BatchSpec
    api_version: str
    script: JobScript
    created: str = field(default_factory=iso_now)
    last_action: str = field(default_factory=iso_now)
    status: Status = "NotStarted"  # the worker's real progress
    shown: Status = "NotStarted"  # what GET has last shown
    polls_in_shown: int = 0
    shown_since: float = field(default_factory=time.monotonic)
    error_code: str | None = None
    error_message: str | None = None
    duration_ms: int | None = None
    files: list[ResultFile] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    finished_at: float | None = None  # monotonic time the worker ended (time to live counts from it)

    def poll(self) -> Status:
        """The status one GET shows, advancing at most one step along the real progress."""
        self.polls_in_shown += 1
        target = self._target()
        if self.shown == "NotStarted" and target != "NotStarted":
            if self.polls_in_shown > self.script.not_started_polls:
                self._show("Running")
        elif self.shown == "Running" and target in ("Succeeded", "Failed"):
            held = (
                self.polls_in_shown <= self.script.running_polls
                or time.monotonic() - self.shown_since < self.script.running_seconds
            )
            if not held:
                self._show(target)
        return self.shown

    def _target(self) -> Status:
        if self.status == "Succeeded" and self.script.fail_code is not None:
            return "Failed"
        return self.status

    def _show(self, status: Status) -> None:
        self.shown, self.polls_in_shown, self.shown_since = status, 1, time.monotonic()
        self.last_action = iso_now()
        if status == "Failed" and self.status != "Failed":  # scripted failure
            self.error_code = self.script.fail_code
            self.error_message = (
                self.script.fail_message or f"The transcription failed ({self.script.fail_code})."
            )
            self.files = [f for f in self.files if f.kind == "TranscriptionReport"]

    def visible_files(self) -> list[ResultFile]:
        """Files appear once the job is shown finished."""
        return self.files if self.shown in ("Succeeded", "Failed") else []


class BatchJobs:
    """The jobs of one emulator, and the scripts armed for the next submissions."""

    def __init__(self, hour_seconds: float = 3600.0) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, BatchJob] = {}
        self._scripts: deque[JobScript] = deque()
        self.hour_seconds = hour_seconds

    def arm(self, script: JobScript, count: int = 1) -> None:
        """The next `count` submitted jobs follow `script`."""
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._scripts.extend([script] * count)

    def pending_scripts(self) -> list[JobScript]:
        with self._lock:
            return list(self._scripts)

    def clear_scripts(self) -> None:
        with self._lock:
            self._scripts.clear()

    def create(self, spec: BatchSpec, api_version: str) -> BatchJob:
        with self._lock:
            script = self._scripts.popleft() if self._scripts else JobScript()
            job = BatchJob(str(uuid.uuid4()), spec, api_version, script)
            self._jobs[job.id] = job
            return job

    def get(self, job_id: str) -> BatchJob | None:
        """The job, unless its time to live after completion is over (then it is deleted)."""
        with self._lock:
            job = self._jobs.get(job_id.lower())
            if job is not None and self._expired(job):
                del self._jobs[job.id]
                return None
            return job

    def _expired(self, job: BatchJob) -> bool:
        done = job.finished_at
        return done is not None and time.monotonic() - done > job.spec.ttl_hours * self.hour_seconds

    def remove(self, job_id: str) -> BatchJob | None:
        with self._lock:
            return self._jobs.pop(job_id.lower(), None)

    def all(self) -> list[BatchJob]:
        """The jobs not deleted (by DELETE or their time to live)."""
        with self._lock:
            for job in [j for j in self._jobs.values() if self._expired(j)]:
                del self._jobs[job.id]
            return list(self._jobs.values())

    def clear(self) -> None:
        """Forget jobs and scripts (their worker tasks are cancelled by the owner)."""
        with self._lock:
            jobs = list(self._jobs.values())
            self._jobs.clear()
            self._scripts.clear()
        for job in jobs:
            if job.task is not None and not job.task.done():
                with contextlib.suppress(RuntimeError):  # the loop is closed already: nothing runs
                    job.task.get_loop().call_soon_threadsafe(job.task.cancel)
