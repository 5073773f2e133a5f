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

from devtools.speech_emulator.errors import ServiceError

__all__ = ["OPERATIONS", "Fault", "FaultKind", "FaultPlan", "fault_error"]

FaultKind = Literal["status", "delay", "drop"]
# The requests a fault can be aimed at. An unaimed fault hits the next Speech API request of any
# kind; "content" (result-file downloads, storage rather than Speech) only when named.
OPERATIONS: tuple[str, ...] = ("transcribe", "submit", "status", "files", "delete", "content")


@dataclass(frozen=True)
class Fault:
    """One request's fault: an error `status` (+ Retry-After), a `delay`, or a dropped connection."""

    kind: FaultKind
    status: int | None = None
    retry_after_seconds: float | None = None
    delay_seconds: float = 0.0
    operations: tuple[str, ...] = ()  # empty: any Speech API request (not "content")

    def __post_init__(self) -> None:
        unknown = set(self.operations) - set(OPERATIONS)
        if unknown:
            raise ValueError(f"unknown operations {sorted(unknown)}; known: {', '.join(OPERATIONS)}")

    def aims_at(self, operation: str) -> bool:
        return operation in self.operations if self.operations else operation != "content"

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

    def fail(
        self, status: int = 503, *, count: int = 1, retry_after: float | None = None, on: tuple[str, ...] = ()
    ) -> None:
        """Answer the next `count` requests (of the `on` operations) with `status`.

        429 gets `Retry-After: 1` by default.
        """
        if not 400 <= status <= 599:
            raise ValueError(f"a fault status must be 4xx or 5xx, not {status}")
        if status == 429 and retry_after is None:
            retry_after = 1.0
        self._arm(Fault("status", status=status, retry_after_seconds=retry_after, operations=on), count)

    def throttle(self, *, count: int = 1, retry_after: float = 1.0, on: tuple[str, ...] = ()) -> None:
        """Answer the next `count` requests with 429 Too Many Requests."""
        self.fail(429, count=count, retry_after=retry_after, on=on)

    def delay(self, seconds: float, *, count: int = 1, on: tuple[str, ...] = ()) -> None:
        """Hold the next `count` requests for `seconds` before handling them normally."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        self._arm(Fault("delay", delay_seconds=seconds, operations=on), count)

    def drop(self, *, count: int = 1, on: tuple[str, ...] = ()) -> None:
        """Close the connection of the next `count` requests without any response."""
        self._arm(Fault("drop", operations=on), count)

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

    def take(self, operation: str = "transcribe") -> Fault | None:
        """Consume the next fault aimed at `operation`, if any (called once per request)."""
        with self._lock:
            for fault in self._queue:
                if fault.aims_at(operation):
                    self._queue.remove(fault)
                    return fault
            return None

    def _arm(self, fault: Fault, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._queue.extend([fault] * count)


def fault_error(fault: Fault) -> ServiceError:
    """The service error a `status` fault answers with (Retry-After when set)."""
    status = fault.status or 500
    code, message = {
        429: ("TooManyRequests", "The service is busy (injected fault). Retry after the time given."),
        503: ("ServiceUnavailable", "The service is temporarily unavailable (injected fault)."),
    }.get(status, ("InternalServerError", f"The service failed with {status} (injected fault)."))
    if 400 <= status < 500 and status != 429:
        code = "InvalidRequest"
    headers = {}
    if fault.retry_after_seconds is not None:
        headers["Retry-After"] = f"{fault.retry_after_seconds:g}"
    return ServiceError(status, code, message, headers=headers)
