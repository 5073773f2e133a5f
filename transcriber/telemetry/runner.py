"""Run blocking exporter calls with a deadline for the caller, never for the exporter.

Exporters flush synchronously over HTTP (OpenTelemetry's force_flush ignores its timeout;
opencensus sends metrics inline), so a slow or stalled ingestion endpoint would stall the
invocation. One daemon thread per Telemetry runs those calls; a caller waits at most its
timeout and then goes on while the thread finishes. Identical requests that are still queued
are coalesced, so a stalled endpoint never piles up threads or work, and once a call has
outlived its caller's wait, later flushes stop waiting until the thread catches up.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from transcriber.telemetry.events import scrub

logger = logging.getLogger(__name__)

__all__ = ["BoundedRunner"]


class _Job:
    """One queued call and the event its callers wait on."""

    def __init__(self, key: str, call: Callable[[], None]) -> None:
        self.key = key
        self.call = call
        self.done = threading.Event()


class BoundedRunner:
    """A lazily started daemon thread that runs calls in order; callers wait with a timeout."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._queued: dict[str, _Job] = {}
        self._thread: threading.Thread | None = None
        self._overdue = False
        self._closed = False

    @property
    def thread(self) -> threading.Thread | None:
        """The worker thread, once something has been run (for tests and diagnostics)."""
        return self._thread

    def run(
        self, key: str, call: Callable[[], None], timeout_s: float, *, wait_if_overdue: bool = False
    ) -> bool:
        """Run `call` on the worker; True if it finished within `timeout_s`, never raises.

        While an earlier call is still running past its caller's deadline, the new call is
        queued but not waited for, unless `wait_if_overdue` (shutdown wants its bounded wait).
        """
        with self._lock:
            if self._closed:
                return False
            job = self._queued.get(key)
            if job is None:
                job = _Job(key, call)
                self._queued[key] = job
                self._jobs.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=f"{self._name}-export", daemon=True)
                self._thread.start()
            overdue = self._overdue
        if overdue and not wait_if_overdue:
            logger.debug("telemetry %s queued without waiting: an earlier export is still running", key)
            return False
        if job.done.wait(timeout_s):
            return True
        with self._lock:
            self._overdue = True
        logger.warning("telemetry %s did not finish within %.1f s; continuing without it", key, timeout_s)
        return False

    def close(self) -> None:
        """Let the worker exit after the queued calls; later `run` calls do nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._thread is not None:
                self._jobs.put(None)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._lock:
                if self._queued.get(job.key) is job:
                    del self._queued[job.key]
            try:
                job.call()
            except Exception as exc:  # an exporter bug must not kill the worker
                logger.warning("telemetry %s failed: %s: %s", job.key, type(exc).__name__, scrub(str(exc)))
            finally:
                job.done.set()
                with self._lock:
                    self._overdue = False
