"""Every blob name the app makes, job ids, and the one check every name from outside passes.

A caller's or an event's name is refused when any of its percent-decodings is empty, starts or
ends with `/`, holds a `.` or `..` segment, a backslash or a control character, has more than 254
segments, or is too long for its outputs to fit Azure's 1,024 characters (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from urllib.parse import unquote

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import InvalidBlobNameError, InvalidJobIdError

AZURE_MAX_NAME = 1024  # characters (Blob service REST API: "Naming and referencing containers, blobs")
AZURE_MAX_SEGMENTS = 254
# The longest name derived from a source name: `failed/<name>.json` in the failures container.
LONGEST_DERIVED_AFFIX = len("failed/") + len(".json")
MAX_NAME = AZURE_MAX_NAME - LONGEST_DERIVED_AFFIX
_MAX_DECODINGS = 4


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


# Audio sent to POST /api/transcriptions is stored under this prefix; its job, not the blob
# trigger, transcribes it (with the caller's options).
JOB_AUDIO_PREFIX = "jobs/"


def output_name(name: str, fmt: str) -> str:
    """A transcript's name beside its recording: `<name>.<format>`."""
    return f"{name}.{fmt}"


# In the failures container, each under its own prefix, so no source name can make one record's
# name collide with another's: why a version failed, why an event's name was refused, the claims
# (one worker per version) and the HTTP jobs' records.
FAILED_PREFIX = "failed/"
INVALID_PREFIX = "invalid/"
CLAIMS_PREFIX = "claims/"
JOBS_PREFIX = "jobs/"
# In the audio container: where POST /api/uploads lets a caller create a blob.
UPLOADS_PREFIX = "uploads/"
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
JOB_AUDIO_FILE = "audio"  # a job's audio sent with no file name
_MAX_FILE_CHARS = 255
_UNSAFE_IN_FILE = frozenset("/\\%#?")


def failure_name(name: str) -> str:
    return f"{FAILED_PREFIX}{name}.json"


def invalid_name_record(name: str) -> str:
    return f"{INVALID_PREFIX}{name_key(name)}.json"


def claim_name(info: BlobInfo) -> str:
    """Fixed length, with no name data in it, under a prefix no failure record name has."""
    return f"{CLAIMS_PREFIX}{name_key(info.name)}/{info.etag}.json"


def new_job_id() -> str:
    return uuid.uuid4().hex


def check_job_id(value: object) -> str:
    if not isinstance(value, str) or not _JOB_ID.fullmatch(value):
        raise InvalidJobIdError("a job id is 32 lower-case hexadecimal digits")
    return value


def job_record_name(job_id: str) -> str:
    return f"{JOBS_PREFIX}{check_job_id(job_id)}.json"


def job_audio_name(job_id: str, file_name: str | None = None) -> str:
    """Where the audio sent in a job's POST body is stored (in the audio container):
    `jobs/<id>/<file name>`, so its outputs keep the name the caller knows it by (`job_audio_file`)."""
    return f"{JOB_AUDIO_PREFIX}{check_job_id(job_id)}/{job_audio_file(file_name)}"


def job_audio_file(file_name: str | None) -> str:
    """The caller's file name as one safe segment of a blob name, else `audio`.

    NFC; every slash, backslash, `%` (no percent-decoding can change it), `#`, `?` and control or
    format character becomes `_`; trailing dots and spaces go (Azure advises against them); a name
    that is then empty, `.`, `..` or refused by the name check is `audio`.
    """
    if not file_name:
        return JOB_AUDIO_FILE
    text = unicodedata.normalize("NFC", file_name)[:_MAX_FILE_CHARS]
    safe = "".join("_" if c in _UNSAFE_IN_FILE or _control(c) else c for c in text).strip().rstrip(". ")
    if safe in ("", ".", ".."):
        return JOB_AUDIO_FILE
    try:
        check_blob_name(safe)
    except InvalidBlobNameError:
        return JOB_AUDIO_FILE
    return safe


def job_of_audio(name: str) -> str | None:
    """The id of the job whose own audio `name` is (`jobs/<id>/<file>`), else None."""
    parts = name.split("/")
    if len(parts) != 3 or f"{parts[0]}/" != JOB_AUDIO_PREFIX or not _JOB_ID.fullmatch(parts[1]):
        return None
    return parts[1] if parts[2] == job_audio_file(parts[2]) else None


def _control(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")
