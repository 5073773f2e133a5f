"""What the batch REST API's answers mean: a transcription's status, errors, ids in paths.

Errors as the fast path translates them, with service text redacted (it can quote our SAS URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from transcriber.adapters.speech import translate_error as translate
from transcriber.domain.errors import InvalidBatchResultError, InvalidRequestError, ServiceError
from transcriber.domain.redaction import redact
from transcriber.domain.rendering import parse_json

__all__ = [
    "STATUSES",
    "BatchStatus",
    "http_error",
    "parse_body",
    "parse_status",
    "raise_for_file",
    "retry_seconds",
    "transcription_path",
    "translate",
]

STATUSES = ("NotStarted", "Running", "Succeeded", "Failed")


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,99}$")


@dataclass(frozen=True)
class BatchStatus:
    """One transcription's state, as the service reports it."""

    id: str  # the service's transcription id (last path segment of "self")
    status: str  # "NotStarted" | "Running" | "Succeeded" | "Failed"
    error_code: str | None = None  # properties.error.code when Failed
    error_message: str | None = None
    retry_after: int | None = None  # seconds the service asks to wait before asking again


def parse_status(payload: dict[str, Any], response: Any) -> BatchStatus:
    self_url = payload.get("self")
    status = payload.get("status")
    if not isinstance(self_url, str) or status not in STATUSES:
        raise ServiceError("Azure AI Speech answered with a transcription that has no id or status")
    error = (payload.get("properties") or {}).get("error") or {}
    code, message = error.get("code"), error.get("message")
    return BatchStatus(
        id=urlsplit(self_url).path.rstrip("/").rsplit("/", 1)[-1],
        status=status,
        error_code=str(code) if code else ("BatchTranscriptionFailed" if status == "Failed" else None),
        error_message=redact(str(message)) if message else None,
        retry_after=retry_seconds(response.headers.get("Retry-After")) if response is not None else None,
    )


def http_error(response: Any) -> Exception:
    from azure.core.exceptions import HttpResponseError

    return HttpResponseError(response=response)


def raise_for_file(response: Any) -> None:
    """Storage's refusal of a result file: throttling and 5xx as for the service, else transient.

    403 is an expired SAS (the files list issues a fresh one) and 404 a file not yet or no longer
    there; neither says anything about the audio, so a later try decides.
    """
    status = response.status_code
    if status == 429 or status >= 500:
        raise translate(http_error(response))
    if 300 <= status < 400:  # never followed (http_pipeline.files_pipeline): it would not change
        raise InvalidBatchResultError(f"the batch result file's URL redirects elsewhere ({status})")
    raise ServiceError(f"the batch result file could not be read ({status})", code=f"BatchResultHttp{status}")


def retry_seconds(value: str | None) -> int | None:
    try:
        return max(0, int(float(value))) if value is not None else None
    except ValueError:
        return None


async def parse_body(content: bytes) -> Any:
    try:
        return await parse_json(content)
    except ValueError as exc:
        raise ServiceError("Azure AI Speech answered with a body that is not JSON") from exc


def transcription_path(transcription_id: str) -> str:
    if not isinstance(transcription_id, str) or not _ID.match(transcription_id):
        raise InvalidRequestError("a batch transcription id is letters, digits and dashes")
    return f"/transcriptions/{quote(transcription_id)}"
