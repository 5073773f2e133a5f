"""The process-wide service: settings plus the clients every invocation shares.

Clients are made once and reused (connection pools, token caches). The aio clients belong to
the event loop that made them: the Functions worker runs one loop for its lifetime, so in
production this is one service per process; a new loop (a test) gets a fresh one.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from transcriber.adapters.blob_store import BlobStore
from transcriber.adapters.budget_table import BudgetTable
from transcriber.adapters.identity import telemetry_credential
from transcriber.adapters.queues import JobQueue
from transcriber.adapters.speech import SpeechClient
from transcriber.config import Settings, TelemetrySettings
from transcriber.domain import privacy
from transcriber.domain.invocation import Invocation
from transcriber.domain.memory_budget import MemoryBudget
from transcriber.domain.output_turns import OutputSlots

if TYPE_CHECKING:
    from transcriber.adapters.batch.client import BatchClient
    from transcriber.adapters.telemetry import Invocation as TelemetryScope
    from transcriber.adapters.telemetry import Telemetry

logger = logging.getLogger(__name__)


@dataclass
class TranscriptionService:
    """Settings and shared clients; the flows and entry points take one of these."""

    settings: Settings
    speech: SpeechClient
    store: BlobStore
    telemetry: Telemetry
    audio_memory: MemoryBudget
    jobs: JobQueue
    completions: JobQueue | None = None
    budget: BudgetTable | None = None  # the audio budget's table, when AUDIO_BUDGET_MINUTES_PER_DAY is on
    output_slots: OutputSlots = field(default_factory=OutputSlots)
    _batch: BatchClient | None = None

    @property
    def batch(self) -> BatchClient:
        """The batch transcription client (transcriber.flows.batch), made on first use."""
        if self._batch is None:
            from transcriber.adapters.batch.client import BatchClient

            self._batch = BatchClient(self.settings.speech, self.telemetry)
        return self._batch

    @classmethod
    def create(cls, settings: Settings, telemetry: Telemetry) -> TranscriptionService:
        return cls(
            settings=settings,
            speech=SpeechClient(settings.speech, telemetry),
            store=BlobStore(settings.storage, telemetry, containers=settings.containers),
            telemetry=telemetry,
            audio_memory=MemoryBudget(settings.audio_memory_bytes),
            jobs=JobQueue(settings.storage, settings.jobs_queue, create=settings.create_containers),
            completions=JobQueue(
                settings.storage, settings.completion_queue, create=settings.create_containers
            )
            if settings.completion_queue
            else None,
            budget=BudgetTable(
                settings.storage, settings.budget.table, telemetry, create=settings.create_containers
            )
            if settings.budget.enabled
            else None,
        )

    def scope(self, invocation: Invocation) -> TelemetryScope:
        """Telemetry around one invocation, correlated with the host's request, flushed at its end."""
        return self.telemetry.invocation(
            name=invocation.function,
            traceparent=invocation.traceparent,
            invocation_id=invocation.invocation_id,
        )

    async def aclose(self) -> None:
        await self.speech.close()
        await self.store.close()
        await self.jobs.close()
        if self._batch is not None:
            await self._batch.close()
        if self.completions is not None:
            await self.completions.close()
        if self.budget is not None:
            await self.budget.close()


_services: dict[asyncio.AbstractEventLoop, TranscriptionService] = {}
_telemetry: tuple[TelemetrySettings, Telemetry] | None = None
_telemetry_lock = threading.Lock()  # the warm-up thread may build it while an invocation asks


def get_service(environ: Mapping[str, str] | None = None) -> TranscriptionService:
    """The service for the running loop, made on first use; SettingError names a bad setting."""
    loop = asyncio.get_running_loop()
    service = _services.get(loop)
    if service is None:
        settings = Settings.from_environ(os.environ if environ is None else environ)
        privacy.configure(settings.privacy)
        service = TranscriptionService.create(settings, get_telemetry(settings.telemetry))
        for stale in [other for other in _services if other.is_closed()]:
            del _services[stale]
        _services[loop] = service
    return service


async def reset_service() -> None:
    """Close the running loop's service (tests; settings changed)."""
    service = _services.pop(asyncio.get_running_loop(), None)
    if service is not None:
        await service.aclose()


def process_telemetry() -> Telemetry | None:
    """The process's telemetry pipeline, if one was made (tests and benchmarks flush it)."""
    return _telemetry[1] if _telemetry is not None else None


def get_telemetry(settings: TelemetrySettings) -> Telemetry:
    """One telemetry pipeline per process and configuration, shut down at exit."""
    with _telemetry_lock:
        return _get_telemetry(settings)


def _get_telemetry(settings: TelemetrySettings) -> Telemetry:
    global _telemetry
    if _telemetry is not None and _telemetry[0] == settings:
        return _telemetry[1]
    from transcriber.adapters.telemetry import create_telemetry

    if _telemetry is not None:
        _telemetry[1].shutdown()
    telemetry = create_telemetry(
        settings.connection_string,
        backend=settings.backend,
        credential=telemetry_credential(settings),
        service_name="transcriber",
    )
    _telemetry = (settings, telemetry)
    atexit.register(telemetry.shutdown)
    return telemetry
