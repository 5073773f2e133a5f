"""What a caller asked to have transcribed, once parsed: the audio or a blob, options, a format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from transcriber.domain.options import TranscriptionRequestOptions


@dataclass(frozen=True)
class TranscribeRequest:
    """A parsed request: exactly one of `audio` and `blob` is set."""

    options: TranscriptionRequestOptions
    response_format: str
    audio: bytes | memoryview | None = None  # a multipart file is a view into the request body
    blob: str | None = None
    content_type: str | None = None
    file_name: str | None = None  # a multipart file part's filename, as sent
    extra: Mapping[str, object] = field(default_factory=dict)  # the route's own fields (`job_fields`)
