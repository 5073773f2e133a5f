"""What the blob job's outputs and logs are called, and what one run of it comes to."""

from __future__ import annotations

from dataclasses import dataclass, field

from transcriber.errors import TranscriberError
from transcriber.privacy import blob_label

# Audio sent to POST /api/transcriptions is stored under this prefix; its job, not the blob
# trigger, transcribes it (with the caller's options).
JOB_AUDIO_PREFIX = "jobs/"


@dataclass(frozen=True)
class BlobOutcome:
    """What happened: transcribed, skipped (done already, or by the claim's holder), failed, or gone."""

    status: str
    name: str
    outputs: list[str] = field(default_factory=list)
    error: TranscriberError | None = None


def output_name(name: str, fmt: str) -> str:
    return f"{name}.{fmt}"


def logged_name(name: str) -> str:
    """How a blob name appears in logs: its keyed id unless names are allowed (transcriber.privacy).

    Control characters are escaped, so a hostile name cannot forge a log line.
    """
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in blob_label(name))
