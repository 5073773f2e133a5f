"""What an HTTP caller sent: audio (raw body, multipart file or a blob name) and options.

Parsed strictly and within bounds before any audio moves, so a hostile request costs little.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from transcriber.domain.errors import (
    AudioTooLargeError,
    InvalidBlobNameError,
    InvalidRequestError,
    NoAudioError,
    UnsupportedMediaError,
)
from transcriber.domain.formats import RESPONSE_FORMATS
from transcriber.domain.names import check_blob_name
from transcriber.domain.option_fields import OPTION_FIELDS, options_from_fields
from transcriber.domain.redaction import redacted_cause
from transcriber.domain.transcribe_request import TranscribeRequest
from transcriber.entry.http.multipart_form import parse_form

MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 16
MAX_URL_CHARS = 8 * 1024
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
QUERY_ONLY = ("code",)  # the function key, read by the Functions host
RAW_AUDIO_TYPES = ("application/octet-stream",)
BLOB_FIELD = "blob"  # a JSON body's name of a blob in the audio container


def parse_request(
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    max_bytes: int,
    blob_base_url: str,
    route_fields: tuple[str, ...] = (),
) -> TranscribeRequest:
    """Turn the raw request into audio or a blob name plus validated options; `route_fields` (a
    route's own query parameters or fields, the last value of each) land in `extra` unchecked."""
    if len(body) > max_bytes:
        container = blob_base_url.rstrip("/").rsplit("/", 1)[-1]
        raise AudioTooLargeError(
            f"the request body is {len(body)} bytes; the limit is {max_bytes}. For larger recordings, "
            f"upload the file to the {container!r} container (it is transcribed there, with no size "
            f'limit of ours) or POST {{"blob": "<name>"}} naming a blob in it'
        )
    if len(url) > MAX_URL_CHARS:
        raise InvalidRequestError(f"the URL is over {MAX_URL_CHARS} characters", code="UrlTooLong")
    # from the URL itself: a flat params mapping would keep only one of repeated `locale`s
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    extra: dict[str, object] = {k: query.pop(k)[-1] for k in route_fields if k in query}
    known = (*OPTION_FIELDS, *route_fields)
    _reject_unknown([k for k in query if k not in QUERY_ONLY], "query parameter", known)
    fields: dict[str, list[Any]] = {k: v for k, v in query.items() if k in OPTION_FIELDS}
    content_type = _header(headers, "content-type")
    mime = content_type.split(";", 1)[0].strip().lower()
    audio: bytes | memoryview | None = None
    audio_type: str | None = None
    blob: str | None = None
    file_name: str | None = None
    if mime == "multipart/form-data":
        form = parse_form(content_type, body)
        extra.update((k, form.fields.pop(k)[-1]) for k in route_fields if k in form.fields)
        _merge(fields, form.fields, known)
        audio, file_name = form.audio, form.file_name
    elif mime == "application/json" or mime.endswith("+json"):
        document = _parse_json(body)
        extra.update((k, document.pop(k)) for k in route_fields if k in document)
        blob = _blob_name(document.pop(BLOB_FIELD, None), blob_base_url)
        _merge(fields, {key: [value] for key, value in document.items()}, (BLOB_FIELD, *known))
    elif mime.startswith(("audio/", "video/")) or mime in RAW_AUDIO_TYPES or (not mime and body):
        audio, audio_type = body, mime or None
        file_name = _disposition_file_name(headers)
    elif body:
        raise UnsupportedMediaError(
            f"content type {mime!r} is not audio; send audio/*, application/octet-stream, "
            "multipart/form-data with an 'audio' file, or JSON naming a blob"
        )
    if blob is None and not audio:
        raise NoAudioError(
            "no audio: send it as the body, as a multipart 'audio' file, or name a blob in JSON"
        )
    return TranscribeRequest(
        options_from_fields(fields), _format(fields), audio, blob, audio_type, file_name, extra
    )


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def _disposition_file_name(headers: Mapping[str, str]) -> str | None:
    """A raw body's file name, from `Content-Disposition: attachment; filename="..."` (or RFC
    5987's `filename*=UTF-8''...`), as a multipart file part names its own; None when absent."""
    value = _header(headers, "content-disposition")
    if not value:
        return None
    message = EmailMessage()
    try:
        message["Content-Disposition"] = value
        name = message.get_filename()
    except (ValueError, TypeError, LookupError) as exc:
        raise InvalidRequestError("the Content-Disposition header cannot be read") from redacted_cause(exc)
    return str(name) if name else None


def _reject_unknown(names: list[str], kind: str, known: tuple[str, ...]) -> None:
    """A typo (`fromat=srt`, `{"blobb": ...}`) must not be ignored silently: name every unknown
    one, with a guess among the `known` names this route and this part of the request take, and
    list them all."""
    unknown = [name for name in names if name not in known]
    if not unknown:
        return
    hints = []
    for name in unknown:
        lowered = {k.lower(): k for k in known}  # `FORMAT` is a guess away from `format` too
        close = difflib.get_close_matches(name, known, n=1) or [
            lowered[k] for k in difflib.get_close_matches(name.lower(), lowered, n=1)
        ]
        hints.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    raise InvalidRequestError(
        f"unknown {kind}{'s' if len(unknown) > 1 else ''} {', '.join(hints)}; "
        f"expected one of {', '.join(known)}"
    )


def _merge(target: dict[str, list[Any]], extra: Mapping[str, list[Any]], known: tuple[str, ...]) -> None:
    _reject_unknown(list(extra), "field", known)
    for key, values in extra.items():
        target[key] = list(values)


def _parse_json(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_JSON_BYTES:
        raise InvalidRequestError(f"JSON bodies are at most {MAX_JSON_BYTES} bytes", code="JsonTooLarge")
    if _depth(body) > MAX_JSON_DEPTH:
        raise InvalidRequestError(f"JSON bodies nest at most {MAX_JSON_DEPTH} levels", code="JsonTooDeep")
    try:
        document = json.loads(body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidRequestError(f"the body is not valid JSON: {exc}") from redacted_cause(exc)
    if not isinstance(document, dict):
        raise InvalidRequestError('the JSON body must be an object such as {"blob": "meeting.wav"}')
    return document


def _depth(body: bytes) -> int:
    """How deep arrays and objects nest, outside strings: bounded before json.loads recurses."""
    depth = deepest = 0
    for byte in _JSON_STRING.sub(b'""', body):
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


def _blob_name(value: Any, blob_base_url: str) -> str | None:
    """A name in the audio container; a URL only when it points into that container."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError("'blob' must be the non-empty name of a blob in the audio container")
    value = value.strip()
    if value.lower().startswith(("http://", "https://")):
        prefix = blob_base_url.rstrip("/") + "/"
        if not value.startswith(prefix) or "?" in value:
            raise InvalidRequestError(
                "'blob' URLs must point into the configured storage account's audio container"
            )
        value = unquote(value[len(prefix) :])
    try:
        return check_blob_name(value)
    except InvalidBlobNameError as exc:
        raise InvalidBlobNameError(f"'blob': {exc.message}") from None


def _format(fields: Mapping[str, list[Any]]) -> str:
    values = fields.get("format") or ["json"]
    value = str(values[-1]).strip().lower()
    value = "text" if value == "txt" else value
    if value not in RESPONSE_FORMATS:
        raise InvalidRequestError(f"format must be one of {', '.join(RESPONSE_FORMATS)}, not {value!r}")
    return value
