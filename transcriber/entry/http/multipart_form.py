"""A multipart/form-data body read with bounds: few parts, small fields, one audio part.

Counted as python-multipart's parser goes, stopping at the first bound crossed; run off the loop.
The audio part is a view into the body, never a copy of it. Each malformed piece is a 400 with a
code of its own: the Content-Type's boundary (`MultipartBoundaryMissing`, `MultipartBoundaryInvalid`),
a part's header (`MultipartHeaderInvalid`: not ASCII names, values not UTF-8) and its
Content-Disposition (`MultipartDispositionInvalid`: missing, not form-data, no name), the body's
framing (`MalformedMultipart`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from transcriber.domain.errors import InvalidRequestError

MAX_PARTS = 16
# RFC 2046 section 5.1.1: 1 to 70 characters of bchars, the last one not a space.
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_HEADER_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # a part header's name: RFC 9110's token
MAX_FIELD_BYTES = 64 * 1024  # every part but the audio
AUDIO_FIELDS = ("audio", "file")


@dataclass
class FormData:
    """Text fields by name, and the audio part (None when there was none) with its file name.

    `audio` is a read-only view into the request body when the part came in one piece (always,
    for a body parsed whole): holding it keeps the body alive, and costs nothing more.
    """

    fields: dict[str, list[str]] = field(default_factory=dict)
    audio: bytes | memoryview | None = None
    file_name: str | None = None


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    is_audio: bool = False
    pieces: list[memoryview] = field(default_factory=list)
    size: int = 0


def _refuse(message: str, code: str) -> InvalidRequestError:
    return InvalidRequestError(message, code=code)


def _text(value: bytes, what: str) -> str:
    """A part header's value as UTF-8 (what browsers send for non-ASCII names), else a 400."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(f"a multipart part's {what} is not UTF-8", "MultipartHeaderInvalid") from None


def parse_form(content_type: str, body: bytes) -> FormData:
    """Parse a multipart body; InvalidRequestError (with its own code) for a malformed or oversized one."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    try:  # the header is latin-1 on the wire; anything else came from no client
        _, params = parse_options_header(content_type)
    except UnicodeEncodeError:
        raise _refuse(
            "the Content-Type header holds characters outside Latin-1", "MultipartBoundaryInvalid"
        ) from None
    boundary = params.get(b"boundary")
    if not boundary:
        raise _refuse("multipart/form-data needs a boundary parameter", "MultipartBoundaryMissing")
    if not _BOUNDARY.fullmatch(boundary):
        raise _refuse(
            "the multipart boundary must be 1 to 70 characters of RFC 2046's set", "MultipartBoundaryInvalid"
        )
    form = FormData()
    state: dict[str, Any] = {"parts": 0, "part": None, "header": b"", "value": b"", "ended": False}

    def part_begin() -> None:
        state["parts"] += 1
        if state["parts"] > MAX_PARTS:
            raise _refuse(f"at most {MAX_PARTS} multipart parts are accepted", "TooManyParts")
        state["part"] = _Part()
        state["in_headers"] = True

    def header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def header_end() -> None:
        name = state["header"]
        if not _HEADER_NAME.fullmatch(name):
            raise _refuse("a multipart part's header name is not an ASCII token", "MultipartHeaderInvalid")
        state["part"].headers[name.decode("ascii").lower()] = state["value"]
        state["header"], state["value"] = b"", b""

    def headers_finished() -> None:
        state["in_headers"] = False
        part: _Part = state["part"]
        raw = part.headers.get("content-disposition")
        if raw is None:
            raise _refuse("a multipart part has no Content-Disposition", "MultipartDispositionInvalid")
        _text(raw, "Content-Disposition")
        kind, disposition = parse_options_header(raw)
        if kind != b"form-data" or b"name" not in disposition:
            raise _refuse(
                "a multipart part's Content-Disposition must be form-data with a name",
                "MultipartDispositionInvalid",
            )
        part.name = _text(disposition[b"name"], "name")
        part.is_audio = part.name in AUDIO_FIELDS or b"filename" in disposition
        if part.is_audio and form.audio is not None:
            raise _refuse("send one audio file per request", "TooManyFiles")
        if part.is_audio and disposition.get(b"filename"):
            form.file_name = _text(disposition[b"filename"], "filename")

    def part_data(data: bytes, start: int, end: int) -> None:
        part: _Part = state["part"]
        part.size += end - start
        if not part.is_audio and part.size > MAX_FIELD_BYTES:
            raise _refuse(
                f"multipart field {part.name[:64]!r} is over {MAX_FIELD_BYTES} bytes", "FieldTooLarge"
            )
        part.pieces.append(memoryview(data)[start:end])  # the body's own bytes, not a copy

    def part_end() -> None:
        part: _Part = state["part"]
        if part.is_audio:
            form.audio = part.pieces[0] if len(part.pieces) == 1 else b"".join(part.pieces)
        else:
            value = b"".join(part.pieces).decode("utf-8", "replace")  # options are checked by name
            form.fields.setdefault(part.name, []).append(value)

    callbacks = {
        "on_part_begin": part_begin,
        "on_header_field": header_field,
        "on_header_value": header_value,
        "on_header_end": header_end,
        "on_headers_finished": headers_finished,
        "on_part_data": part_data,
        "on_part_end": part_end,
        "on_end": lambda: state.update(ended=True),
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        parser.write(body)
        parser.finalize()
    except (MultipartParseError, ValueError) as exc:
        if state.get("in_headers"):  # python-multipart's own check of a header line's characters
            raise _refuse(
                f"a multipart part's header is malformed: {exc}", "MultipartHeaderInvalid"
            ) from None
        raise _refuse(f"malformed multipart body: {exc}", "MalformedMultipart") from None
    if state["parts"] == 0:
        raise _refuse("the multipart body holds no parts", "MalformedMultipart")
    if not state["ended"]:
        raise _refuse("the multipart body ends before its closing boundary", "MalformedMultipart")
    return form
