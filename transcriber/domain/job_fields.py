"""What POST /api/transcriptions takes beyond /api/transcribe's options: `fileName`, `keepAudio`.

`fileName` is the name a person knows the recording by (the page shows it); it is stored in the
job's record and shown in its description, and names the audio sent in the job's body only as one
segment under the job's own prefix, made safe first (`transcriber.domain.names.job_audio_name`).
"""

from __future__ import annotations

import unicodedata

from transcriber.domain.errors import InvalidRequestError

FILE_NAME, KEEP_AUDIO = "fileName", "keepAudio"
JOB_FIELDS = (FILE_NAME, KEEP_AUDIO)
CALLBACK_URL = "callbackUrl"  # where the job's end is posted (`transcriber.adapters.callbacks`)
MAX_FILE_NAME_CHARS = 255


def check_file_name(value: object) -> str:
    """`value` when it is 1-255 characters with no control character and no slash."""
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(f"{FILE_NAME} must be a non-empty string")
    if len(value) > MAX_FILE_NAME_CHARS:
        raise InvalidRequestError(f"{FILE_NAME} is at most {MAX_FILE_NAME_CHARS} characters")
    if "/" in value or "\\" in value:
        raise InvalidRequestError(f"{FILE_NAME} must not contain a slash")
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029" for c in value):
        raise InvalidRequestError(f"{FILE_NAME} must not contain control characters")
    return value


def uploaded_file_name(value: str) -> str:
    """A multipart part's filename, its last path segment (old browsers send the whole path)."""
    return check_file_name(value.replace("\\", "/").rsplit("/", 1)[-1])


def parse_keep_audio(value: object) -> bool:
    """`true` or `false` (any case), or a JSON boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidRequestError(f"{KEEP_AUDIO} must be true or false")
