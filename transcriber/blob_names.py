"""The one check every blob name from a caller or an event passes before it reaches storage.

A name is refused when any of its percent-decodings (a URL-decoding layer may apply one, or
several) is empty, starts with `/`, ends with `/`, holds a `.` or `..` segment, a backslash or
a control character, has more than 254 segments, or is too long for its outputs to fit Azure's
1,024-character limit. Those are the forms that made the storage client's URL leave the audio
container (`../other/secret.wav`, `%2e%2e/x`, `a\\..\\b`), or that name no real blob.
"""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import unquote

from transcriber.errors import InvalidRequestError

AZURE_MAX_NAME = 1024  # characters (Blob service REST API: "Naming and referencing containers, blobs")
AZURE_MAX_SEGMENTS = 254
# The longest name derived from a source name: `failed/<name>.json` in the failures container.
LONGEST_DERIVED_AFFIX = len("failed/") + len(".json")
MAX_NAME = AZURE_MAX_NAME - LONGEST_DERIVED_AFFIX
_MAX_DECODINGS = 4


class InvalidBlobNameError(InvalidRequestError):
    """A blob name that could reach outside its container, or that no output name could fit."""

    code = "InvalidBlobName"


def check_blob_name(name: object) -> str:
    """Return `name` unchanged when it is a safe blob name; raise InvalidBlobNameError naming why."""
    if not isinstance(name, str):
        raise InvalidBlobNameError("a blob name must be a string")
    form = name
    for _ in range(_MAX_DECODINGS):
        _check_form(form)
        decoded = unquote(form)
        if decoded == form:
            return name
        form = decoded
    raise InvalidBlobNameError("the blob name is percent-encoded more times than any client would")


def name_key(name: str) -> str:
    """A fixed-length key for a name (claims, records of invalid names): no name data in it."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _check_form(name: str) -> None:
    if not name:
        raise InvalidBlobNameError("the blob name is empty")
    if len(name) > MAX_NAME:
        raise InvalidBlobNameError(
            f"blob names are at most {MAX_NAME} characters here, so that every output name fits "
            f"Azure's {AZURE_MAX_NAME}"
        )
    if "\\" in name:
        raise InvalidBlobNameError("blob names must not contain a backslash")
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029" for c in name):
        raise InvalidBlobNameError("blob names must not contain control characters")
    if name.startswith("/") or name.endswith("/"):
        raise InvalidBlobNameError("blob names must not start or end with '/'")
    segments = name.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise InvalidBlobNameError("blob names must not contain '.' or '..' segments")
    if "" in segments:
        raise InvalidBlobNameError("blob names must not contain empty segments ('//')")
    if len(segments) > AZURE_MAX_SEGMENTS:
        raise InvalidBlobNameError(f"blob names have at most {AZURE_MAX_SEGMENTS} segments")
