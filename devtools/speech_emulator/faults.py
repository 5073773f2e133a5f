"""Faults to inject: answer the next requests with an error status, late, or not at all.

One `FaultPlan` per emulator instance, shared by the request handlers (in the server's thread)
and the test or control route that arms it, hence the lock. Each armed fault is consumed by one
transcription request, in the order armed.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

__all__ = ["Fault", "FaultKind", "FaultPlan"]

FaultKind = Literal["status", "delay", "drop"]


@dataclass(frozen=True)
class Fault:
    """One request's fault: an error `status` (+ Retry-After), a `delay`, or a dropped connection."""

    kind: FaultKind
    status: int | None = None
    retry_after_seconds: float | None = None
    delay_seconds: float = 0.0

    def describe(self) -> str:
        """Short label for logs and the journal, e.g. `status 429` or `delay 0.5s`."""
        if self.kind == "status":
            return f"status {self.status}"
        if self.kind == "delay":
            return f"delay {self.delay_seconds:g}s"
        return "drop"


class FaultPlan:
    """A thread-safe queue of faults for the next transcription requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def fail(self, status: int = 503, *, count: int = 1, retry_after: float | None = None) -> None:
        """Answer the next `count` requests with `status` (429 gets `Retry-After: 1` by default)."""
        if not 400 <= status <= 599:
            raise ValueError(f"a fault status must be 4xx or 5xx, not {status}")
        if status == 429 and retry_after is None:
            retry_after = 1.0
        self._arm(Fault("status", status=status, retry_after_seconds=retry_after), count)

    def throttle(self, *, count: int = 1, retry_after: float = 1.0) -> None:
        """Answer the next `count` requests with 429 Too Many Requests."""
        self.fail(429, count=count, retry_after=retry_after)

    def delay(self, seconds: float, *, count: int = 1) -> None:
        """Hold the next `count` requests for `seconds` before handling them normally."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        self._arm(Fault("delay", delay_seconds=seconds), count)

    def drop(self, *, count: int = 1) -> None:
        """Close the connection of the next `count` requests without any response."""
        self._arm(Fault("drop"), count)

    def add(self, fault: Fault, *, count: int = 1) -> None:
        """Arm an already built fault (the HTTP control route uses this)."""
        self._arm(fault, count)

    def clear(self) -> None:
        """Disarm every pending fault."""
        with self._lock:
            self._queue.clear()

    def pending(self) -> list[Fault]:
        """The faults not consumed yet, next first."""
        with self._lock:
            return list(self._queue)

    def take(self) -> Fault | None:
        """Consume the next fault, if any (called once per transcription request)."""
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _arm(self, fault: Fault, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._queue.extend([fault] * count)
