"""Speaker names a person gave a transcript: `{"1": "Alice", "2": "Bob"}` for "Speaker 1", "Speaker 2".

The service's result stays as it was; the names are a record of their own, `speakers/<name key>.json`
in the failures container (a prefix no blob name's records can reach, so no recording's name can
overwrite them; erased with the recording's transcripts). They apply to the recording's version
they were given for (`source` etag), and the TXT, SRT and VTT renderings use them
(`transcriber.domain.formats`, its `speakers` parameter).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.names import name_key

SPEAKERS_PREFIX = "speakers/"
MAX_SPEAKER = 35  # fast transcription's diarization tells at most 35 speakers apart
MAX_NAME_CHARS = 64


def speakers_name(source_name: str) -> str:
    return f"{SPEAKERS_PREFIX}{name_key(source_name)}.json"


def check_speakers(document: object) -> dict[int, str]:
    """The names in `{"speakers": {"<1-35>": "<1-64 characters>" | ""}}`; "" removes a name."""
    if not isinstance(document, Mapping) or set(document) != {"speakers"}:
        raise InvalidRequestError('the body must be {"speakers": {"1": "<name>", ...}} and nothing else')
    names = document["speakers"]
    if not isinstance(names, Mapping):
        raise InvalidRequestError("'speakers' must be an object of speaker numbers to names")
    checked: dict[int, str] = {}
    for key, value in names.items():
        checked[check_speaker_number(key)] = check_speaker_name(value)
    return checked


def check_speaker_number(key: object) -> int:
    """A speaker number as a JSON key: "1" to "35", digits only."""
    if not isinstance(key, str) or not key.isascii() or not key.isdigit() or not 1 <= int(key) <= MAX_SPEAKER:
        raise InvalidRequestError(f"speaker numbers are 1 to {MAX_SPEAKER}")
    if key != str(int(key)):
        raise InvalidRequestError(f"speaker numbers are written without leading zeros: {key!r}")
    return int(key)


def check_speaker_name(value: object) -> str:
    """A name of 1-64 characters with no control character, or "" (no name)."""
    if not isinstance(value, str):
        raise InvalidRequestError("a speaker's name must be a string")
    if len(value) > MAX_NAME_CHARS:
        raise InvalidRequestError(f"a speaker's name is at most {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029" for c in value):
        raise InvalidRequestError("a speaker's name must not contain control characters")
    if value and not value.strip():
        raise InvalidRequestError("a speaker's name must not be only spaces")
    return value


def merged(stored: Mapping[int, str], changes: Mapping[int, str]) -> dict[int, str]:
    """`stored` with `changes` applied ("" removes), in speaker order."""
    names = {**stored, **changes}
    return {number: names[number] for number in sorted(names) if names[number]}


def to_json(names: Mapping[int, str]) -> dict[str, str]:
    return {str(number): name for number, name in sorted(names.items())}


def from_record(document: Mapping[str, Any] | None, etag: str) -> dict[int, str]:
    """The names of a stored record, if it was given for the source version `etag`."""
    if not document or document.get("etag") != etag or not isinstance(document.get("speakers"), Mapping):
        return {}
    names: dict[int, str] = {}
    for key, value in document["speakers"].items():
        try:
            names[check_speaker_number(key)] = check_speaker_name(value)
        except InvalidRequestError:
            continue  # not a name this version would store
    return {number: name for number, name in names.items() if name}
