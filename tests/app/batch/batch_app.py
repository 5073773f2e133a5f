"""What the batch route's tests share: an echo emulator as the app's Speech, the jobs queue run
until a job ends, and a spy on every request the app itself sends to storage.

The app runs in Microsoft's runtime through the project's host, against Azurite; its queue
messages are the ones it sent to Azurite's jobs queue, delivered as the Storage Queues extension
does, each only once its visibility timeout has passed (the app's own schedule).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
import soundfile as sf

from tests.app.jobs_queue import Jobs

# Over this lowered fast limit, a minute of 16 kHz audio (`recording`) takes the batch route.
LIMIT = {"MAX_AUDIO_BYTES": str(1024 * 1024)}
# Short looks, so a job that waits for a while finishes within a test.
FAST_POLLS = {"BATCH_POLL_INITIAL_SECONDS": "1", "BATCH_POLL_MAX_SECONDS": "2"}


def use_emulator(jobs: Jobs, emulator: Any, monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """The app calls `emulator` (both routes), with short batch looks and any other settings."""
    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", emulator.endpoint)
    monkeypatch.setenv("AZURE_SPEECH_API_KEY", emulator.key)
    for name, value in {**FAST_POLLS, **env}.items():
        monkeypatch.setenv(name, value)
    jobs.app.speech = emulator


async def run_until(jobs: Jobs, done: Callable[[], bool], *, timeout: float = 120.0) -> int:
    """Deliver the jobs queue's visible messages until `done()`; returns how many were delivered."""
    delivered = 0
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done after {timeout} s ({delivered} messages delivered)")
        batch = await jobs.run()
        for delivery in batch:
            assert delivery.status == "succeeded", delivery.invocations[-1].error
        delivered += len(batch)
        if not batch:
            await asyncio.sleep(0.3)
    return delivered


def queue_connection(jobs: Jobs) -> str:
    """The connection string of the jobs queue's account (Azurite)."""
    return getattr(jobs, "connection_string", None) or jobs.azurite.connection_string


def has_outputs(jobs: Jobs, name: str) -> Callable[[], bool]:
    return lambda: f"{name}.json" in jobs.app.transcripts()


def has_final_failure(jobs: Jobs, name: str) -> Callable[[], bool]:
    def check() -> bool:
        record = jobs.app.failures().get(f"failed/{name}.json")
        return record is not None and bool(json.loads(record).get("final"))

    return check


def job_records(jobs: Jobs) -> dict[str, dict[str, Any]]:
    return {name: json.loads(body) for name, body in jobs.app.failures().items() if name.startswith("jobs/")}


def no_record_and_no_held_claim(jobs: Jobs) -> None:
    """Nothing but job records (and their owner index), and claims the batch job released (a claim
    stays as the version's mark, transcriber.flows.claims)."""
    failures = jobs.app.failures()
    assert [n for n in failures if not n.startswith(("jobs/", "claims/", "owners/"))] == []
    for name, body in failures.items():
        if name.startswith("claims/"):
            assert json.loads(body).get("state") == "released", name


def submits(emulator: Any) -> list[Any]:
    return [entry for entry in emulator.requests() if entry.operation == "submit"]


@dataclass
class StorageSpy:
    """Every request the app's aio storage clients send: (method, container/blob path, range)."""

    requests: list[tuple[str, str, str | None]] = field(default_factory=list)

    def to_blob(self, container: str, name: str) -> list[tuple[str, str | None]]:
        path = f"{container}/{name}"
        return [(method, rng) for method, target, rng in self.requests if target == path]


@pytest.fixture
def storage_spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[StorageSpy]:
    """The app's own storage traffic (aiohttp: the aio Azure SDK's transport). The emulator
    fetches audio with httpx and the tests' admin client is sync (requests), so neither is seen."""
    import aiohttp

    spy = StorageSpy()
    original = aiohttp.ClientSession._request

    async def spying(self: Any, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(str(url))
        path = unquote(parts.path).split("/", 2)[-1]  # without the account segment
        headers = kwargs.get("headers") or {}
        spy.requests.append((method.upper(), path, headers.get("x-ms-range") or headers.get("Range")))
        return await original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "_request", spying)
    yield spy


def recording(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A mono 16-bit WAV of `seconds` (quiet noise), written a minute at a time."""
    rng = np.random.default_rng(16)
    with sf.SoundFile(path, "w", samplerate=rate, channels=1, subtype="PCM_16", format="WAV") as out:
        left = int(seconds * rate)
        while left:
            frames = min(left, 60 * rate)
            out.write((rng.standard_normal(frames) * 50).astype(np.int16))
            left -= frames
    return path


def upload_file(jobs: Jobs, name: str, path: Path) -> None:
    blob = jobs.app.storage.get_blob_client(jobs.app.containers.audio, name)
    with path.open("rb") as data:
        blob.upload_blob(data, overwrite=True, max_concurrency=4)
