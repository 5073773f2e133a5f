"""Azure AI Speech batch transcription (REST API 2024-11-15) on azure-core's async pipeline.

`azure-ai-transcription` has no batch methods; errors are translated as the fast path's (`responses`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from transcriber.adapters.batch.http_pipeline import safe_content_url, same_origin
from transcriber.adapters.batch.responses import (
    BatchStatus,
    http_error,
    parse_body,
    parse_status,
    raise_for_file,
    transcription_path,
    translate,
)
from transcriber.adapters.batch.results import BatchResultError, FastShape
from transcriber.adapters.batch.submission import batch_definition, requested_channels
from transcriber.adapters.identity import speech_credential
from transcriber.adapters.speech_gate import SpeechGate
from transcriber.domain.errors import (
    AudioRejectedError,
    BatchResultTooLargeError,
    InvalidBatchResultError,
    ServiceError,
    TranscriberError,
)
from transcriber.domain.redaction import redacted_cause

if TYPE_CHECKING:
    from azure.core.pipeline import AsyncPipeline

    from transcriber.adapters.telemetry import Telemetry
    from transcriber.config import SpeechSettings
    from transcriber.domain.options import TranscriptionRequestOptions

__all__ = ["BATCH_API_VERSION", "BatchClient", "BatchStatus"]

BATCH_API_VERSION = "2024-11-15"
SPEECH_SCOPE = "https://cognitiveservices.azure.com/.default"
MAX_RETRY_AFTER_SECONDS = 0  # a throttle goes back to the job's steps, which queue the next look
# The batch REST API's quota on a Standard (S0) resource (quota page: 100 requests per 10 seconds).
BATCH_REQUESTS_PER_MINUTE = 600
MIB = 1024 * 1024
# ~10 MB per hour of speech with word timings. Parsed as it arrives (result_stream), a file costs
# about its fast result, not the several times its size json.loads would (bench_batch_result).
MAX_RESULT_BYTES = 256 * MIB
OP_SUBMIT = "POST /speechtotext/transcriptions:submit"
OP_GET = "GET /speechtotext/transcriptions/{id}"
OP_FILES = "GET /speechtotext/transcriptions/{id}/files"
OP_LIST = "GET /speechtotext/transcriptions"
OP_DELETE = "DELETE /speechtotext/transcriptions/{id}"
OP_RESULT = "GET batch transcription result file"
MAX_FILE_PAGES = 100
# A result file is parsed and converted on a thread of our own, as transcriber.domain.rendering
# does (2.5 h: about a second of CPU), so other invocations keep running; a hop per this many bytes.
PARSE_STEP_BYTES = 1 * MIB
_executor: ThreadPoolExecutor | None = None


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
        max_result_bytes: int | None = None,
    ) -> None:
        self.settings = settings
        self.api_version = api_version
        self._telemetry = telemetry
        self._credential = credential
        self._owns_credential = credential is None
        self._max_retry_after = max_retry_after
        self._backoff = retry_backoff_factor
        self._max_result_bytes = MAX_RESULT_BYTES if max_result_bytes is None else max_result_bytes
        self._base = settings.endpoint.rstrip("/") + "/speechtotext"
        self._api: AsyncPipeline | None = None
        self._files: AsyncPipeline | None = None
        self.gate = SpeechGate("batch", BATCH_REQUESTS_PER_MINUTE, settings.max_concurrency, telemetry)

    # -- operations ------------------------------------------------------------------------
    async def submit(
        self, audio_url: str, options: TranscriptionRequestOptions, display_name: str
    ) -> BatchStatus:
        """Start transcribing the audio at `audio_url` (a read-only SAS URL); 201 -> NotStarted."""
        body = batch_definition(audio_url, options, display_name)
        response, payload = await self._call("POST", "/transcriptions:submit", OP_SUBMIT, body=body)
        return parse_status(payload, response)

    async def status(self, transcription_id: str) -> BatchStatus:
        """The transcription's status; Failed carries the service's error code and message."""
        response, payload = await self._call("GET", transcription_path(transcription_id), OP_GET)
        return parse_status(payload, response)

    async def result(self, transcription_id: str) -> dict[str, Any]:
        """The Succeeded transcription's result file, converted to the fast-transcription shape."""
        _, transcription = await self._call("GET", transcription_path(transcription_id), OP_GET)
        state = parse_status(transcription, None)
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
        locale = transcription.get("locale")
        shape = FastShape(
            locale=locale if isinstance(locale, str) else None, channels=requested_channels(transcription)
        )
        result = await self._parse_result(url, shape)
        duration = (transcription.get("properties") or {}).get("durationMilliseconds")
        if not result["durationMilliseconds"] and type(duration) is int and duration > 0:
            result["durationMilliseconds"] = duration  # the transcription's own, if the file had none
        return result

    async def find(self, display_name: str) -> list[BatchStatus]:
        """Transcriptions named `display_name` (`GET /transcriptions?filter=displayName eq '...'`).

        The submit has no idempotency key: after a submit that failed where the service may have
        created the transcription (a 5xx, a timeout), the job looks for it by its display name.
        """
        quoted = display_name.replace("'", "''")
        url: str | None = f"{self._base}/transcriptions"
        params: dict[str, str] | None = {
            "api-version": self.api_version,
            "filter": f"displayName eq '{quoted}'",
        }
        found: list[BatchStatus] = []
        for _ in range(MAX_FILE_PAGES):
            if url is None:
                break
            _, page = await self._call("GET", url, OP_LIST, params=params, absolute=True)
            for entry in page.get("values") or []:
                if isinstance(entry, dict) and entry.get("displayName") == display_name:
                    found.append(parse_status(entry, None))
            url, params = page.get("@nextLink"), None
            if url is not None and not same_origin(str(url), self._base):
                raise InvalidBatchResultError("the service's next-page link leaves its endpoint")
        return found

    async def delete(self, transcription_id: str) -> None:
        """Delete the transcription and its result files; already gone (404) is fine."""
        await self._call("DELETE", transcription_path(transcription_id), OP_DELETE, ok=(200, 204, 404))

    async def close(self) -> None:
        """Close both connection pools, and the credential if this client made it; idempotent."""
        pipelines, self._api, self._files = (self._api, self._files), None, None
        for pipeline in pipelines:
            if pipeline is not None:
                await pipeline.__aexit__(None, None, None)
        if self._owns_credential and self._credential is not None:
            credential, self._credential = self._credential, None
            close = getattr(credential, "close", None)
            if close is not None:
                await close()

    # -- internals -------------------------------------------------------------------------
    async def _result_url(self, transcription_id: str) -> str:
        """The `Transcription` file's content URL, following @nextLink pages on our endpoint.

        Without one the audio file failed: the report file's errorKind is the service's code.
        """
        url: str | None = f"{self._base}{transcription_path(transcription_id)}/files"
        params: dict[str, str] | None = {"api-version": self.api_version}
        report: str | None = None
        for _ in range(MAX_FILE_PAGES):
            if url is None:
                break
            _, page = await self._call("GET", url, OP_FILES, params=params, absolute=True)
            for entry in page.get("values") or []:
                content = (entry.get("links") or {}).get("contentUrl") if isinstance(entry, dict) else None
                if isinstance(content, str) and entry.get("kind") == "Transcription":
                    return content
                if isinstance(content, str) and entry.get("kind") == "TranscriptionReport":
                    report = content
            url, params = page.get("@nextLink"), None
            if url is not None and not same_origin(str(url), self._base):
                raise InvalidBatchResultError("the service's next-page link leaves its endpoint")
        code, message = "NoTranscriptionFile", "batch transcription produced no transcription file"
        if report is not None:
            details = (await self._download(report)).get("details") if report else None
            failed = [d for d in details or [] if isinstance(d, dict) and d.get("status") != "Succeeded"]
            if failed:
                code = str(failed[0].get("errorKind") or code)
                message = f"batch transcription failed: {failed[0].get('errorMessage') or code}"
        raise AudioRejectedError(message, code=code)

    async def _parse_result(self, url: str, shape: FastShape) -> dict[str, Any]:
        """The result file parsed as it arrives, off the loop, into `shape`: its fast result."""
        from transcriber.adapters.batch.result_stream import ResultStream

        loop = asyncio.get_running_loop()
        stream = ResultStream(shape)
        pending: list[bytes] = []
        size = 0

        async def parse(step: Callable[..., Any], *args: Any) -> Any:
            try:
                return await loop.run_in_executor(_converter(), step, *args)
            except BatchResultError as exc:
                raise InvalidBatchResultError(f"the batch result file is not usable: {exc}") from exc

        async def feed(chunk: bytes) -> None:
            nonlocal size
            pending.append(chunk)
            size += len(chunk)
            if size >= PARSE_STEP_BYTES:
                piece = b"".join(pending)
                pending.clear()
                size = 0
                await parse(stream.feed, piece)

        await self._fetch(url, feed)
        if pending:
            await parse(stream.feed, b"".join(pending))
        result: dict[str, Any] = await parse(stream.finish)
        return result

    async def _download(self, url: str) -> dict[str, Any]:
        """A small file (the report) by its SAS URL, parsed whole."""
        chunks: list[bytes] = []

        async def keep(chunk: bytes) -> None:
            chunks.append(chunk)

        await self._fetch(url, keep)
        document = await parse_body(b"".join(chunks))
        if not isinstance(document, dict):
            raise InvalidBatchResultError("the batch result file is not a JSON object")
        return document

    async def _fetch(self, url: str, consume: Callable[[bytes], Awaitable[None]]) -> None:
        """GET a file by its SAS URL, without our credential, each piece to `consume` as it
        arrives; over `max_result_bytes` it is refused at once (BatchResultTooLargeError)."""
        from azure.core.rest import HttpRequest

        if not safe_content_url(url, self._base):
            raise InvalidBatchResultError(
                "the service gave a result URL outside Azure Blob Storage, or not https"
            )
        pipeline = self._pipelines()[1]
        limit = self._max_result_bytes
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                request = HttpRequest("GET", url)
                response = (await pipeline.run(request, stream=True, dependency_name=OP_RESULT)).http_response
                if response.status_code != 200:
                    await response.read()
                    raise_for_file(response)
                size = 0
                async for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        await response.close()
                        raise BatchResultTooLargeError(
                            f"the batch result file is over {limit} bytes ({limit / MIB:g} MiB)"
                        )
                    await consume(chunk)
        except TranscriberError:
            raise
        except Exception as exc:
            raise translate(exc) from redacted_cause(exc)

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
        async with self.gate.slot():  # the instance's pace (speech_gate): a throttle is raised in it
            try:
                async with asyncio.timeout(self.settings.timeout_seconds):
                    response = (
                        await pipeline.run(request, stream=True, dependency_name=operation)
                    ).http_response
                    content = await response.read()
            except TranscriberError:
                raise
            except Exception as exc:  # every transport, retry and credential failure is translated here
                raise translate(exc) from redacted_cause(exc)
            if response.status_code not in ok:
                raise translate(http_error(response))
        if not content or response.status_code in (204, 404):
            return response, {}
        payload = await parse_body(content)
        if not isinstance(payload, dict):
            raise ServiceError("Azure AI Speech answered with JSON that is not an object")
        return response, payload

    def _pipelines(self) -> tuple[AsyncPipeline, AsyncPipeline]:
        if self._api is None or self._files is None:
            from transcriber.adapters.batch.http_pipeline import api_pipeline, files_pipeline

            if self._credential is None:
                self._credential = speech_credential(self.settings)
            retry = {"max_retry_after": self._max_retry_after, "retry_backoff_factor": self._backoff}
            self._api = api_pipeline(self._credential, SPEECH_SCOPE, self._telemetry, self.settings, **retry)
            self._files = files_pipeline(self._telemetry, self.settings, **retry)
        return self._api, self._files


def _converter() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transcriber-batch-result")
    return _executor
