"""What one delivery of a blob version came to."""

from __future__ import annotations

from dataclasses import dataclass, field

from transcriber.domain.errors import TranscriberError


@dataclass(frozen=True)
class BlobOutcome:
    """What happened: transcribed, skipped (done already, or by the claim's holder), failed, gone,
    queued (a batch job has it) or deferred (back from the queue at `deferred_until`)."""

    status: str
    name: str
    outputs: list[str] = field(default_factory=list)
    error: TranscriberError | None = None
    deferred_until: str | None = None
