"""What a caller asked to have transcribed, once parsed: the audio or a blob, options, a format."""

from __future__ import annotations

from dataclasses import dataclass

from transcriber.domain.options import TranscriptionRequestOptions


@dataclass(frozen=True)
class TranscribeRequest:
    """A parsed request: exactly one of `audio` and `blob` is set."""

    options: TranscriptionRequestOptions
    response_format: str
    audio: bytes | None = None
    blob: str | None = None
    content_type: str | None = None
