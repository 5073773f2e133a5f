"""Run blocking exporter calls on one thread of their own, with a deadline for the caller.

So a stalled ingestion endpoint stalls neither an invocation nor the loop's default executor.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from transcriber.adapters.telemetry.events import scrub

logger = logging.getLogger(__name__)

__all__ = ["BoundedRunner"]


class _Job:
    """One queued call and the event its callers wait on."""

    def __init__(self, key: str, call: Callable[[], None], not_before: float = 0.0) -> None:
        self.key = key
        self.call = call
        self.not_before = not_before  # time.monotonic() before which it does not start
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
        self._hurry = False  # a caller waits: run what is queued without its delays
        self._wake = threading.Event()

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
            job = self._enqueue(key, call)
            if job is None:
                return False
            self._hurry = True
            self._wake.set()
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

    def submit(self, key: str, call: Callable[[], None], *, delay_s: float = 0.0) -> None:
        """Queue `call` to run `delay_s` from now (or with an identical queued one); return at once."""
        with self._lock:
            self._enqueue(key, call, time.monotonic() + delay_s)

    def _enqueue(self, key: str, call: Callable[[], None], not_before: float = 0.0) -> _Job | None:
        """Queue a job unless an identical one is still waiting; start the thread. Holds the lock."""
        if self._closed:
            return None
        job = self._queued.get(key)
        if job is None:
            job = _Job(key, call, not_before)
            self._queued[key] = job
            self._jobs.put(job)
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=f"{self._name}-export", daemon=True)
            self._thread.start()
        return job

    def close(self) -> None:
        """Let the worker exit after the queued calls; later `run` calls do nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._wake.set()
            if self._thread is not None:
                self._jobs.put(None)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            while not (self._hurry or self._closed) and job.not_before > time.monotonic():
                self._wake.wait(job.not_before - time.monotonic())  # identical submits join it meanwhile
                self._wake.clear()
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
                    if self._jobs.empty():
                        self._hurry = False
