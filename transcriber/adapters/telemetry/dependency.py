"""Timing one Speech or Storage call as an Application Insights dependency.

What reaches a backend is already safe to send: the target is reduced to host[:port], the
name loses any query string, and a failure is described by its HTTP status and exception
type, never by the exception's message (it can hold SAS URLs or service text).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

from transcriber.adapters.telemetry.correlation import (
    Correlation,
    current_correlation,
    new_correlation,
    new_span_id,
)
from transcriber.adapters.telemetry.events import DIM_INVOCATION_ID, scrub

logger = logging.getLogger(__name__)

__all__ = ["Dependency", "DependencyRecord"]


@dataclass(frozen=True)
class DependencyRecord:
    """A finished Speech or Storage call, ready for a backend to send."""

    type: str
    target: str
    name: str
    result_code: str
    success: bool
    start_time_ns: int  # wall clock, ns since the epoch
    duration_ns: int
    span_id: str
    correlation: Correlation
    error_type: str | None = None

    def properties(self) -> dict[str, str]:
        """customDimensions of the dependency item."""
        props = {"error_type": self.error_type, DIM_INVOCATION_ID: self.correlation.invocation_id}
        return {key: value for key, value in props.items() if value}


def _status_code(exc: BaseException) -> str | None:
    """The HTTP status an SDK exception (or one it was raised from) carries, if any."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            break
        code = getattr(seen, "status_code", None) or getattr(
            getattr(seen, "response", None), "status_code", None
        )
        if isinstance(code, int | str) and str(code):
            return str(code)
        seen = seen.__cause__ or seen.__context__
    return None


def _host(target: str) -> str:
    """Only the host[:port]: a full URL could carry a path with names or a SAS query."""
    if "://" in target:
        return urlsplit(target).netloc.rpartition("@")[2]
    return scrub(target).split("/", 1)[0]


class Dependency:
    """Times one outgoing call; set `result_code` (and optionally `success`) inside the block."""

    def __init__(self, sink: Callable[[DependencyRecord], None], type: str, target: str, name: str) -> None:
        self._sink = sink
        self.type = type
        self.target = target
        self.name = name
        self.result_code: str | None = None
        self.success: bool | None = None
        self._start_ns = 0
        self._perf_start = 0.0

    def __enter__(self) -> Dependency:
        self._start_ns = time.time_ns()
        self._perf_start = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        duration_ns = int((time.perf_counter() - self._perf_start) * 1e9)
        try:
            if exc is None:
                result_code = self.result_code or "200"
            else:
                result_code = self.result_code or _status_code(exc) or "0"
            success = (exc is None) if self.success is None else self.success
            correlation = current_correlation() or new_correlation(self.name, None, None)
            record = DependencyRecord(
                type=self.type,
                target=_host(self.target),
                name=scrub(self.name),
                result_code=scrub(str(result_code)),
                success=success,
                start_time_ns=self._start_ns,
                duration_ns=duration_ns,
                span_id=new_span_id(),
                correlation=correlation,
                error_type=type(exc).__name__ if exc is not None else None,
            )
            self._sink(record)
        except Exception as error:  # telemetry must not replace or mask the caller's outcome
            logger.warning("could not record dependency %s: %s", type(error).__name__, scrub(str(error)))
