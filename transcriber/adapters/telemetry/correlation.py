"""Which operation telemetry belongs to, per invocation, even with many on one event loop.

A ContextVar, not a thread-local, holds the current invocation: each asyncio task sees its own.
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar, Token
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = [
    "Correlation",
    "activate",
    "current_correlation",
    "deactivate",
    "new_correlation",
    "new_span_id",
    "parse_traceparent",
]

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_INVALID_TRACE_ID = "0" * 32
_INVALID_SPAN_ID = "0" * 16


@dataclass(frozen=True)
class Correlation:
    """Operation ids and names stamped on every item sent inside one invocation."""

    trace_id: str  # 32 lowercase hex: operation_Id
    parent_span_id: str  # 16 lowercase hex: operation_ParentId (the host's request id)
    operation_name: str
    invocation_id: str | None = None


_current: ContextVar[Correlation | None] = ContextVar("transcriber_telemetry_correlation", default=None)


def current_correlation() -> Correlation | None:
    """The correlation of the invocation running in this context, if any."""
    return _current.get()


def activate(correlation: Correlation) -> Token[Correlation | None]:
    """Make `correlation` current in this context (task) until `deactivate(token)`."""
    return _current.set(correlation)


def deactivate(token: Token[Correlation | None]) -> None:
    _current.reset(token)


def new_span_id() -> str:
    """A random, valid 16-hex span id."""
    return f"{secrets.randbits(64) or 1:016x}"


def new_trace_id() -> str:
    """A random, valid 32-hex trace id."""
    return f"{secrets.randbits(128) or 1:032x}"


def parse_traceparent(value: str | None) -> tuple[str, str] | None:
    """(trace id, parent span id) from a W3C traceparent, or None if absent or invalid."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip().lower())
    if match is None:
        return None
    version, trace_id, span_id, _flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or trace_id == _INVALID_TRACE_ID:
        return None
    if span_id == _INVALID_SPAN_ID:
        return None
    return trace_id, span_id


def new_correlation(name: str, traceparent: str | None, invocation_id: str | None) -> Correlation:
    """Correlation for an invocation; a fresh operation when the host gave no usable traceparent."""
    parsed = parse_traceparent(traceparent)
    if parsed is None:
        if traceparent:
            logger.debug("ignoring malformed traceparent for %s", name)
        parsed = (new_trace_id(), new_span_id())
    return Correlation(parsed[0], parsed[1], name, invocation_id)
