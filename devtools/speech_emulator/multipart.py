"""Read the transcribe request's multipart body: the `audio` and `definition` parts, byte-exact.

python-multipart's streaming parser is used directly rather than `request.form()`: Starlette
turns parts without a filename into `str` (the sync SDK sends raw-bytes audio without one) and
caps them at 1 MB. Streaming also lets an oversized upload fail with 413 as soon as it is.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from devtools.speech_emulator.errors import ServiceError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

logger = logging.getLogger(__name__)

__all__ = ["TranscribeForm", "read_form"]

# Room for the definition part and multipart framing on top of the audio size limit.
_FRAMING_ALLOWANCE = 1024 * 1024


@dataclass(frozen=True)
class TranscribeForm:
    """The parts the service reads; None when a part is absent."""

    audio: bytes | None
    definition: bytes | None


class _Collector:
    """python-multipart callbacks that keep the `audio` and `definition` parts."""

    def __init__(self, max_audio_bytes: int) -> None:
        self.max_audio_bytes = max_audio_bytes
        self.parts: dict[str, bytearray] = {}
        self.finished = False
        self._name: str | None = None
        self._data = bytearray()
        self._header_field = b""
        self._header_value = b""
        self._disposition = b""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._name, self._data, self._disposition = None, bytearray(), b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_field, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        self._name = name.decode("utf-8", "replace") if name is not None else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._name not in ("audio", "definition"):
            return  # parts the service does not know are ignored, not kept
        self._data += data[start:end]
        if self._name == "audio" and len(self._data) > self.max_audio_bytes:
            raise _TooLarge

    def on_part_end(self) -> None:
        if self._name in ("audio", "definition"):
            self.parts[self._name] = self._data

    def on_end(self) -> None:
        self.finished = True


class _TooLarge(Exception):
    """The audio part passed the size limit (raised inside a parser callback)."""


async def read_form(content_type: str, body: AsyncIterator[bytes], max_audio_bytes: int) -> TranscribeForm:
    """Parse the body; 415 unless multipart/form-data, 413 past the limit, 400 when malformed."""
    media_type, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise ServiceError(
            415,
            "UnsupportedMediaType",
            "The request must be multipart/form-data with an 'audio' part and/or a 'definition' part.",
        )
    collector = _Collector(max_audio_bytes)
    parser = MultipartParser(boundary, collector.callbacks(), max_size=max_audio_bytes + _FRAMING_ALLOWANCE)
    try:
        async for chunk in body:
            parser.write(chunk)
    except _TooLarge:
        await _drain(body)
        raise _too_large(max_audio_bytes) from None
    except FormParserError as exc:
        raise ServiceError.invalid_request(f"The multipart body could not be parsed: {exc}") from exc
    parser.finalize()
    if not collector.finished:
        raise ServiceError.invalid_request("The multipart body ended before its closing boundary.")
    audio = collector.parts.get("audio")
    definition = collector.parts.get("definition")
    return TranscribeForm(
        audio=bytes(audio) if audio is not None else None,
        definition=bytes(definition) if definition is not None else None,
    )


async def _drain(body: AsyncIterator[bytes]) -> None:
    """Read and discard the rest, so the client finishes sending and reads the 413."""
    async for _ in body:
        pass


def _too_large(max_audio_bytes: int) -> ServiceError:
    return ServiceError(
        413,
        "InvalidRequest",
        f"The audio is larger than this emulator's limit of {max_audio_bytes} bytes.",
        "AudioSizeLimitExceeded",
    )
