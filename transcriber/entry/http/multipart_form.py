"""A multipart/form-data body read with bounds: few parts, small fields, one audio part.

Counted as python-multipart's parser goes, stopping at the first bound crossed; run off the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transcriber.domain.errors import InvalidRequestError

MAX_PARTS = 16
MAX_FIELD_BYTES = 64 * 1024  # every part but the audio
AUDIO_FIELDS = ("audio", "file")


@dataclass
class FormData:
    """Text fields by name, and the audio part (None when there was none) with its file name."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    audio: bytes | None = None
    file_name: str | None = None


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    is_audio: bool = False
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


def parse_form(content_type: str, body: bytes) -> FormData:
    """Parse a multipart body; InvalidRequestError (with its own code) for a malformed or oversized one."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise InvalidRequestError("multipart/form-data needs a boundary parameter", code="MalformedMultipart")
    form = FormData()
    state: dict[str, Any] = {"parts": 0, "part": None, "header": b"", "value": b""}

    def part_begin() -> None:
        state["parts"] += 1
        if state["parts"] > MAX_PARTS:
            raise InvalidRequestError(
                f"at most {MAX_PARTS} multipart parts are accepted", code="TooManyParts"
            )
        state["part"] = _Part()

    def header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def header_end() -> None:
        state["part"].headers[state["header"].decode("latin-1").lower()] = state["value"]
        state["header"], state["value"] = b"", b""

    def headers_finished() -> None:
        part: _Part = state["part"]
        _, disposition = parse_options_header(part.headers.get("content-disposition", b""))
        part.name = disposition.get(b"name", b"").decode("utf-8", "replace")
        part.is_audio = part.name in AUDIO_FIELDS or b"filename" in disposition
        if part.is_audio and form.audio is not None:
            raise InvalidRequestError("send one audio file per request", code="TooManyFiles")
        if part.is_audio and disposition.get(b"filename"):
            form.file_name = disposition[b"filename"].decode("utf-8", "replace")

    def part_data(data: bytes, start: int, end: int) -> None:
        part: _Part = state["part"]
        part.size += end - start
        if not part.is_audio and part.size > MAX_FIELD_BYTES:
            raise InvalidRequestError(
                f"multipart field {part.name[:64]!r} is over {MAX_FIELD_BYTES} bytes", code="FieldTooLarge"
            )
        part.chunks.append(data[start:end])

    def part_end() -> None:
        part: _Part = state["part"]
        value = b"".join(part.chunks)
        if part.is_audio:
            form.audio = value
        else:
            form.fields.setdefault(part.name, []).append(value.decode("utf-8", "replace"))

    callbacks = {
        "on_part_begin": part_begin,
        "on_header_field": header_field,
        "on_header_value": header_value,
        "on_header_end": header_end,
        "on_headers_finished": headers_finished,
        "on_part_data": part_data,
        "on_part_end": part_end,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, ValueError) as exc:
        raise InvalidRequestError(f"malformed multipart body: {exc}", code="MalformedMultipart") from None
    if state["parts"] == 0:
        raise InvalidRequestError("the multipart body holds no parts", code="MalformedMultipart")
    return form
