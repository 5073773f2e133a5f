"""Azure AI Speech fast transcription through the azure-ai-transcription aio client.

One client per process; audio streamed whole on every retry; SDK errors translated where it is called.
Requests go through the instance's gate (`speech_gate`); a throttle is never retried here (nor
slept through): it reaches the flow at once, which defers the version or answers 429.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from transcriber.adapters.client_options import client_options
from transcriber.adapters.identity import SPEECH_SCOPE, speech_credential
from transcriber.adapters.speech_gate import TRIGGER_PATIENCE_SECONDS, SpeechGate
from transcriber.domain.errors import (
    AnswerTooLargeError,
    AudioRejectedError,
    AuthenticationError,
    ServiceError,
    ServiceThrottledError,
    TranscriberError,
)
from transcriber.domain.redaction import redacted_cause
from transcriber.domain.rendering import parse_json

if TYPE_CHECKING:
    from azure.ai.transcription.aio import TranscriptionClient

    from transcriber.adapters.telemetry import Telemetry
    from transcriber.config import SpeechSettings
    from transcriber.domain.options import TranscriptionRequestOptions

logger = logging.getLogger(__name__)
OPERATION = "POST /speechtotext/transcriptions:transcribe"
MIB = 1024 * 1024
# Two hours of speech with word timings and speakers is tens of MiB of JSON; parsing costs many
# times the bytes, so far more than that is refused unread (issue #24, "bounded upstream answers").
MAX_ANSWER_BYTES = 128 * MIB


class SpeechClient:
    """Transcribes bytes or a URL and returns the service's result as a plain dict."""

    def __init__(self, settings: SpeechSettings, telemetry: Telemetry, credential: Any = None) -> None:
        self.settings = settings
        self._telemetry = telemetry
        self._credential = credential
        self._client: TranscriptionClient | None = None
        self.gate = SpeechGate("fast", settings.requests_per_minute, settings.max_concurrency, telemetry)

    def _get_client(self) -> TranscriptionClient:
        if self._client is None:
            from azure.ai.transcription.aio import TranscriptionClient

            if self._credential is None:
                self._credential = speech_credential(self.settings)
            self._client = TranscriptionClient(
                endpoint=self.settings.endpoint,
                credential=self._credential,
                api_version=self.settings.api_version,
                read_timeout=self.settings.timeout_seconds,
                retry_policy=throttle_aware_retry_policy(),
                **client_options(),
            )
        return self._client

    def prepare_client(self) -> None:
        """Build the client now (it opens no connection), so the first request does not."""
        self._get_client()

    async def prepare(self) -> None:
        """`prepare_client` and, for a token credential, the first token (the credential caches
        it), so the first request waits for neither."""
        self._get_client()
        get_token = getattr(self._credential, "get_token", None)
        if get_token is not None:
            await get_token(SPEECH_SCOPE)

    async def transcribe(
        self,
        audio: bytes | bytearray | memoryview,
        options: TranscriptionRequestOptions,
        *,
        timeout: float | None = None,
        patience: float = TRIGGER_PATIENCE_SECONDS,
    ) -> dict[str, Any]:
        """Send the audio itself (multipart `audio` + `definition`); `patience`: the longest wait
        for a slot of the instance's pace (then ServiceThrottledError, `paced`)."""
        from azure.ai.transcription.models import TranscriptionContent

        from transcriber.adapters.audio_payload import AudioPayload
        from transcriber.adapters.speech_models import transcription_options

        # (filename, payload): the filename keeps aiohttp sending a file part, as the SDK's own
        # file uploads do; the payload re-sends the whole audio on every try.
        content = TranscriptionContent(
            definition=transcription_options(options), audio=("audio", AudioPayload(audio))
        )

        async def send(client: TranscriptionClient) -> bytes:
            chunks = await client.transcribe(content, stream=True)  # raises for every status but 200
            return await bounded_read(chunks)

        return await self._call(send, timeout, patience)

    async def transcribe_url(
        self,
        audio_url: str,
        options: TranscriptionRequestOptions,
        *,
        timeout: float | None = None,
        patience: float = TRIGGER_PATIENCE_SECONDS,
    ) -> dict[str, Any]:
        """Let the service fetch the audio (a short-lived SAS URL): the bytes never pass through us.

        The request is `transcribe_from_url`'s own (one `definition` part, application/json,
        holding `audioUrl`), sent through the client's pipeline with `send_request`, because
        `transcribe_from_url` always builds the SDK's models on the event loop.
        """
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ResourceNotFoundError,
            map_error,
        )
        from azure.core.rest import HttpRequest

        from transcriber.adapters.speech_models import transcription_options

        definition = transcription_options(options)
        definition.audio_url = audio_url
        request = HttpRequest(
            "POST",
            "/transcriptions:transcribe",  # under the client's base URL, {endpoint}/speechtotext
            params={"api-version": self.settings.api_version},
            headers={"Accept": "application/json"},
            files=[
                (
                    "definition",
                    (None, json.dumps(definition.as_dict(exclude_readonly=True)), "application/json"),
                )
            ],
        )

        async def send(client: TranscriptionClient) -> bytes:
            response = await client.send_request(request, stream=True)
            if response.status_code == 200:
                return await bounded_read(response.iter_bytes())
            await response.read()  # an error's body, small: the service's code is in it
            errors = {401: ClientAuthenticationError, 404: ResourceNotFoundError}
            map_error(status_code=response.status_code, response=response, error_map=errors)
            raise HttpResponseError(response=response)

        return await self._call(send, timeout, patience)

    async def check_access(self, timeout: float) -> str | None:
        """Prove the endpoint answers and accepts our credential, without sending (or paying for) audio.

        A request with no audio part is refused by the service's validation, which runs after the
        credential is checked: 400/415/422 mean reachable and accepted, 401/403 refused. Returns a
        note (throttled) or None; raises AuthenticationError or ServiceError. No retries.
        """
        from azure.core.rest import HttpRequest

        definition = json.dumps({"locales": ["en-US"]})
        request = HttpRequest(
            "POST",
            f"/transcriptions:transcribe?api-version={self.settings.api_version}",
            files={"definition": (None, definition, "application/json")},
        )
        try:
            async with asyncio.timeout(timeout):
                response = await self._get_client().send_request(
                    request, retry_total=0, connection_timeout=timeout, read_timeout=timeout
                )
        except Exception as exc:
            raise translate_error(exc) from exc
        status = response.status_code
        if status in (401, 403):
            code, message = _response_error(response.text(), status)
            raise AuthenticationError(
                f"Azure AI Speech refused the credential ({status}): {message}", code=code
            )
        if status == 404:
            raise ServiceError(
                "the endpoint does not serve fast transcription (404)", code="EndpointNotFound"
            )
        if status >= 500:
            raise ServiceError(f"Azure AI Speech failed ({status})", code=f"Http{status}")
        return "throttled (429): reachable, credential not confirmed" if status == 429 else None

    def defer_seconds(self, retry_after: int | None = None) -> float:
        """How long a throttled version should wait in the queue (the pace's next free turn)."""
        return self.gate.defer_seconds(retry_after)

    async def _call(self, send: Any, timeout: float | None, patience: float) -> dict[str, Any]:
        client = self._get_client()
        async with self.gate.slot(patience):
            try:
                async with asyncio.timeout(
                    min(timeout or self.settings.timeout_seconds, self.settings.timeout_seconds)
                ):
                    with self._telemetry.dependency(
                        type="Azure AI Speech", target=self.settings.host, name=OPERATION
                    ):
                        body = await send(client)
            except TranscriberError:
                raise
            except Exception as exc:  # every SDK, transport and credential failure is translated here
                raise translate_error(exc) from redacted_cause(exc)
        try:
            return await parse_json(body)  # plain data, off the loop when big: no SDK models
        except ValueError as exc:
            raise ServiceError("Azure AI Speech answered with a body that is not JSON") from exc

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
        close = getattr(self._credential, "close", None)
        if close is not None:
            await close()


async def bounded_read(chunks: AsyncIterator[bytes], limit: int | None = None) -> bytes:
    """The answer's bytes, up to MAX_ANSWER_BYTES: a larger one is refused before it is all in memory."""
    limit = MAX_ANSWER_BYTES if limit is None else limit
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise AnswerTooLargeError(f"Azure AI Speech answered with more than {limit // MIB} MiB")
        parts.append(chunk)
    return b"".join(parts)


def throttle_aware_retry_policy(**kwargs: Any) -> Any:
    """azure-core's retries (transport errors, 408, 5xx), but never of a throttle: a 429, or any
    answer with Retry-After (azure-core would sleep through it inside the invocation, up to its
    total). The flow hands a throttled version to the queue instead."""
    from azure.core.pipeline.policies import AsyncRetryPolicy

    class ThrottleAwareRetryPolicy(AsyncRetryPolicy):
        def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
            answer = response.http_response
            if answer.status_code == 429 or (answer.status_code >= 400 and answer.headers.get("Retry-After")):
                return False
            return super().is_retry(settings, response)

    return ThrottleAwareRetryPolicy(**kwargs)


def translate_error(exc: Exception) -> TranscriberError:
    """Map an azure-core exception from Speech to a transcriber error, keeping the service's code;
    the fast and batch routes (`transcriber.adapters.batch.responses`) share it, so both raise alike."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

    if isinstance(exc, TimeoutError):
        return ServiceError("the Speech service did not answer in time", code="Timeout")
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) is None:
        return AuthenticationError(f"could not get a token for Azure AI Speech: {_first_line(exc)}")
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        status = exc.status_code
        code, message = _service_error(exc)
        if status in (401, 403):
            return AuthenticationError(
                f"Azure AI Speech refused the credential ({status}): {message}", code=code
            )
        if status == 429 or (status == 503 and _retry_after(exc) is not None):
            return ServiceThrottledError(message, code=code, status=status, retry_after=_retry_after(exc))
        if status == 408 or status >= 500:
            return ServiceError(f"Azure AI Speech failed ({status}): {message}", code=code)
        return AudioRejectedError(message, code=code, status=status)
    if isinstance(exc, ServiceRequestError) and "non-TLS" in str(exc):
        return AuthenticationError(
            "token (managed identity) authentication needs an https endpoint; "
            "set AZURE_SPEECH_API_KEY for a plain-http endpoint such as the local emulator",
            code="TokenOverHttp",
        )
    if isinstance(exc, ServiceRequestError | HttpResponseError):
        return ServiceError(f"could not reach Azure AI Speech: {_first_line(exc)}", code="ServiceUnreachable")
    return ServiceError(f"Azure AI Speech call failed: {type(exc).__name__}", code="ServiceError")


def _service_error(exc: Any) -> tuple[str, str]:
    """The most specific code and message: the inner error when the service gives one."""
    try:
        text = exc.response.text()
    except Exception:  # no readable body keeps the generic code
        text = ""
    code, message = _response_error(text, exc.status_code)
    return code, message if message != "request failed" else (exc.reason or message)


def _response_error(text: str, status: int) -> tuple[str, str]:
    body: dict[str, Any] = {}
    try:
        parsed = json.loads(text)
        body = parsed.get("error", parsed) if isinstance(parsed, dict) else {}
    except ValueError:  # a body that is not JSON keeps the generic code
        body = {}
    inner = body.get("innerError") or body.get("innererror") or {}
    code = inner.get("code") or body.get("code") or f"Http{status}"
    message = inner.get("message") or body.get("message") or "request failed"
    return str(code), str(message)


def _retry_after(exc: Any) -> int | None:
    value = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return max(0, int(float(value))) if value is not None else None
    except ValueError:
        return None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
