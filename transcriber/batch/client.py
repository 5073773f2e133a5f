"""Azure AI Speech batch transcription (REST API 2024-11-15) on azure-core's async pipeline.

`azure-ai-transcription` has no batch methods, so this module builds the pipeline the SDK would:
retries honouring Retry-After (a wait longer than `max_retry_after` goes back to the caller, whose
job waits through queue visibility instead of a sleeping function), a bearer token for
https://cognitiveservices.azure.com/.default from the same credential as the fast path (or the
Ocp-Apim-Subscription-Key header when a key is set), User-Agent, request logging that redacts
query strings (no body logging: the submit body and the file list carry SAS URLs), azure-core's
distributed tracing, and one Application Insights dependency per call, named like the fast path's.

Operations (Microsoft's "Transcriptions" REST reference, 2024-11-15): `POST
/speechtotext/transcriptions:submit`, `GET /speechtotext/transcriptions/{id}`, `GET
.../{id}/files`, `DELETE .../{id}`. A result file is fetched by its `links.contentUrl`, a SAS into
Microsoft's storage, through a second pipeline that has no credential at all. Errors are translated
as `transcriber.speech` translates the fast path's, so callers handle both routes alike.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from transcriber.batch.results import BatchResultError, to_fast_shape
from transcriber.batch.submission import batch_definition, requested_channels
from transcriber.errors import (
    AudioRejectedError,
    InvalidRequestError,
    ServiceError,
    ServiceThrottledError,
    TranscriberError,
)
from transcriber.redaction import redact, redacted_cause
from transcriber.rendering import parse_json

if TYPE_CHECKING:
    from azure.core.pipeline import AsyncPipeline

    from transcriber.config import SpeechSettings
    from transcriber.options import TranscriptionRequestOptions
    from transcriber.telemetry import Telemetry

__all__ = ["BATCH_API_VERSION", "BatchClient", "BatchStatus"]

BATCH_API_VERSION = "2024-11-15"
SPEECH_SCOPE = "https://cognitiveservices.azure.com/.default"
STATUSES = ("NotStarted", "Running", "Succeeded", "Failed")
MAX_RETRY_AFTER_SECONDS = 60
MAX_RESULT_BYTES = 1024 * 1024 * 1024
OP_SUBMIT = "POST /speechtotext/transcriptions:submit"
OP_GET = "GET /speechtotext/transcriptions/{id}"
OP_FILES = "GET /speechtotext/transcriptions/{id}/files"
OP_DELETE = "DELETE /speechtotext/transcriptions/{id}"
OP_RESULT = "GET batch transcription result file"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,99}$")


@dataclass(frozen=True)
class BatchStatus:
    """One transcription's state, as the service reports it."""

    id: str  # the service's transcription id (last path segment of "self")
    status: str  # "NotStarted" | "Running" | "Succeeded" | "Failed"
    error_code: str | None = None  # properties.error.code when Failed
    error_message: str | None = None
    retry_after: int | None = None  # seconds the service asks to wait before asking again


class BatchClient:
    """Submits, watches, fetches and deletes batch transcriptions; one per process, like SpeechClient."""

    def __init__(
        self,
        settings: SpeechSettings,
        telemetry: Telemetry,
        credential: Any = None,
        *,
        api_version: str = BATCH_API_VERSION,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        retry_backoff_factor: float = 0.8,
        max_result_bytes: int = MAX_RESULT_BYTES,
    ) -> None:
        self.settings = settings
        self.api_version = api_version
        self._telemetry = telemetry
        self._credential = credential
        self._owns_credential = credential is None
        self._max_retry_after = max_retry_after
        self._backoff = retry_backoff_factor
        self._max_result_bytes = max_result_bytes
        self._base = settings.endpoint.rstrip("/") + "/speechtotext"
        self._api: AsyncPipeline | None = None
        self._files: AsyncPipeline | None = None

    # -- operations ------------------------------------------------------------------------
    async def submit(
        self, audio_url: str, options: TranscriptionRequestOptions, display_name: str
    ) -> BatchStatus:
        """Start transcribing the audio at `audio_url` (a read-only SAS URL); 201 -> NotStarted."""
        body = batch_definition(audio_url, options, display_name)
        response, payload = await self._call("POST", "/transcriptions:submit", OP_SUBMIT, body=body)
        return _status(payload, response)

    async def status(self, transcription_id: str) -> BatchStatus:
        """The transcription's status; Failed carries the service's error code and message."""
        response, payload = await self._call("GET", _path(transcription_id), OP_GET)
        return _status(payload, response)

    async def result(self, transcription_id: str) -> dict[str, Any]:
        """The Succeeded transcription's result file, converted to the fast-transcription shape."""
        _, transcription = await self._call("GET", _path(transcription_id), OP_GET)
        state = _status(transcription, None)
        if state.status == "Failed":
            raise AudioRejectedError(
                f"batch transcription failed: {state.error_message or 'no reason given'}",
                code=state.error_code or "BatchTranscriptionFailed",
            )
        if state.status != "Succeeded":
            raise ServiceError(
                f"batch transcription is {state.status}, not Succeeded", code="BatchNotFinished"
            )
        url = await self._result_url(transcription_id)
        document = await self._download(url)
        try:
            return to_fast_shape(
                document,
                locale=transcription.get("locale") if isinstance(transcription.get("locale"), str) else None,
                channels=requested_channels(transcription),
            )
        except BatchResultError as exc:
            raise ServiceError(
                f"the batch result file is not usable: {exc}", code="InvalidBatchResult"
            ) from exc

    async def delete(self, transcription_id: str) -> None:
        """Delete the transcription and its result files; already gone (404) is fine."""
        await self._call("DELETE", _path(transcription_id), OP_DELETE, ok=(200, 204, 404))

    async def close(self) -> None:
        for pipeline in (self._api, self._files):
            if pipeline is not None:
                await pipeline.__aexit__(None, None, None)
        self._api = self._files = None
        close = getattr(self._credential, "close", None) if self._owns_credential else None
        if close is not None:
            await close()

    # -- internals -------------------------------------------------------------------------
    async def _result_url(self, transcription_id: str) -> str:
        """The `Transcription` file's content URL, following @nextLink pages on our endpoint."""
        url: str | None = f"{self._base}{_path(transcription_id)}/files"
        params: dict[str, str] | None = {"api-version": self.api_version}
        for _ in range(100):
            if url is None:
                break
            _, page = await self._call("GET", url, OP_FILES, params=params, absolute=True)
            for entry in page.get("values") or []:
                if isinstance(entry, dict) and entry.get("kind") == "Transcription":
                    content = (entry.get("links") or {}).get("contentUrl")
                    if isinstance(content, str):
                        return content
            url, params = page.get("@nextLink"), None
            if url is not None and not _same_origin(str(url), self._base):
                raise ServiceError(
                    "the service's next-page link leaves its endpoint", code="InvalidBatchResult"
                )
        raise AudioRejectedError(
            "batch transcription succeeded but produced no transcription file", code="NoTranscriptionFile"
        )

    async def _download(self, url: str) -> Any:
        """GET a result file by its SAS URL, without our credential, within `max_result_bytes`."""
        from azure.core.rest import HttpRequest

        if not _safe_content_url(url, self._base):
            raise ServiceError("the service gave a result URL that is not https", code="InvalidBatchResult")
        pipeline = self._pipelines()[1]
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                request = HttpRequest("GET", url)
                response = (await pipeline.run(request, stream=True, dependency_name=OP_RESULT)).http_response
                if response.status_code != 200:
                    await response.read()
                    _raise_for_file(response)
                chunks, size = [], 0
                async for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max_result_bytes:
                        await response.close()
                        raise ServiceError("the batch result file is too large", code="BatchResultTooLarge")
                    chunks.append(chunk)
        except TranscriberError:
            raise
        except Exception as exc:
            raise _translate(exc) from redacted_cause(exc)
        return await _json(b"".join(chunks))

    async def _call(
        self,
        method: str,
        path: str,
        operation: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        absolute: bool = False,
        ok: tuple[int, ...] = (200, 201),
    ) -> tuple[Any, dict[str, Any]]:
        from azure.core.rest import HttpRequest

        url = path if absolute else self._base + path
        query = {"api-version": self.api_version} if params is None and not absolute else params
        request = HttpRequest(method, url, params=query, json=body, headers={"Accept": "application/json"})
        pipeline = self._pipelines()[0]
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                response = (await pipeline.run(request, stream=True, dependency_name=operation)).http_response
                content = await response.read()
        except TranscriberError:
            raise
        except Exception as exc:  # every transport, retry and credential failure is translated here
            raise _translate(exc) from redacted_cause(exc)
        if response.status_code not in ok:
            raise _translate(_http_error(response))
        if not content or response.status_code in (204, 404):
            return response, {}
        payload = await _json(content)
        if not isinstance(payload, dict):
            raise ServiceError("Azure AI Speech answered with JSON that is not an object")
        return response, payload

    def _pipelines(self) -> tuple[AsyncPipeline, AsyncPipeline]:
        if self._api is None or self._files is None:
            from transcriber.batch.http_pipeline import api_pipeline, files_pipeline

            if self._credential is None:
                from transcriber.identity import speech_credential

                self._credential = speech_credential(self.settings)
            retry = {"max_retry_after": self._max_retry_after, "retry_backoff_factor": self._backoff}
            self._api = api_pipeline(self._credential, SPEECH_SCOPE, self._telemetry, self.settings, **retry)
            self._files = files_pipeline(self._telemetry, self.settings, **retry)
        return self._api, self._files


def _status(payload: dict[str, Any], response: Any) -> BatchStatus:
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
        retry_after=_seconds(response.headers.get("Retry-After")) if response is not None else None,
    )


def _http_error(response: Any) -> Exception:
    from azure.core.exceptions import HttpResponseError

    return HttpResponseError(response=response)


def _raise_for_file(response: Any) -> None:
    """Storage's refusal of a result file: throttling and 5xx as for the service, else transient.

    403 is an expired SAS (the files list issues a fresh one) and 404 a file not yet or no longer
    there; neither says anything about the audio, so a later try decides.
    """
    status = response.status_code
    if status == 429 or status >= 500:
        raise _translate(_http_error(response))
    raise ServiceError(f"the batch result file could not be read ({status})", code=f"BatchResultHttp{status}")


def _translate(exc: Exception) -> TranscriberError:
    from transcriber.speech import _translate as translate_speech_error

    error = translate_speech_error(exc)
    if isinstance(error, ServiceThrottledError) and error.retry_after is None:
        error.retry_after = _seconds(_header(exc, "Retry-After"))
    return error


def _header(exc: Exception, name: str) -> str | None:
    response = getattr(exc, "response", None)
    return response.headers.get(name) if response is not None else None


def _seconds(value: str | None) -> int | None:
    try:
        return max(0, int(float(value))) if value is not None else None
    except ValueError:
        return None


async def _json(content: bytes) -> Any:
    try:
        return await parse_json(content)
    except ValueError as exc:
        raise ServiceError("Azure AI Speech answered with a body that is not JSON") from exc


def _path(transcription_id: str) -> str:
    if not isinstance(transcription_id, str) or not _ID.match(transcription_id):
        raise InvalidRequestError("a batch transcription id is letters, digits and dashes")
    return f"/transcriptions/{quote(transcription_id)}"


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _safe_content_url(url: str, base: str) -> bool:
    """https, or plain http between loopback addresses only (a local emulator)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and _loopback(parts.hostname) and _loopback(urlsplit(base).hostname)


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
