"""What a trigger knows about one run of a function: its name, ids, and where it stands in its retries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invocation:
    """What the trigger knows about this run, for correlation and retry accounting."""

    function: str
    invocation_id: str | None = None
    traceparent: str | None = None
    retry_count: int | None = None
    max_retry_count: int | None = None
    max_tries: int | None = None  # the trigger's own last try (a queue's maxDequeueCount), if it has one
