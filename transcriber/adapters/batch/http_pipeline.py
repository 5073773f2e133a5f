"""The two azure-core pipelines of the batch client: the Speech API's, and a credential-free one.

Result files are fetched by SAS URL with no credential, so our token and key reach only Speech.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline import AsyncPipeline
from azure.core.pipeline.policies import (
    AsyncBearerTokenCredentialPolicy,
    AsyncHTTPPolicy,
    AsyncRedirectPolicy,
    AsyncRetryPolicy,
    AzureKeyCredentialPolicy,
    DistributedTracingPolicy,
    HttpLoggingPolicy,
    RequestIdPolicy,
    SensitiveHeaderCleanupPolicy,
    UserAgentPolicy,
)
from azure.core.pipeline.transport import AioHttpTransport

from transcriber.adapters.client_options import client_options

if TYPE_CHECKING:
    from azure.core.pipeline import PipelineRequest, PipelineResponse

    from transcriber.adapters.telemetry import Telemetry
    from transcriber.config import SpeechSettings

__all__ = ["KEY_HEADER", "api_pipeline", "files_pipeline", "safe_content_url", "same_origin"]

KEY_HEADER = "Ocp-Apim-Subscription-Key"
SDK_MONIKER = "transcriber-batch/1.0"


class BoundedRetryPolicy(AsyncRetryPolicy):
    """azure-core's retries, except that a throttle (a 429, or any answer with Retry-After) is
    retried only when its Retry-After is at most `max_retry_after` (0 by default: only "now"), so
    no invocation sleeps through a quota (the job's next look is queued with the delay instead),
    and a POST is retried only after a 429.

    azure-core retries a POST on 500/503/504 (and on any status with Retry-After); the batch
    submit has no idempotency key, so such a retry can create a second transcription that the
    app would pay for and never delete. A 429 means the service created nothing. A POST that
    raised (a read timeout, a dropped connection) is already not retried by azure-core (POST is
    not in its method allow-list); the job's next look looks for the transcription it may have
    made (`transcriber.flows.batch_steps`).
    """

    def __init__(self, *, max_retry_after: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_retry_after = max_retry_after

    def is_retry(self, settings: dict[str, Any], response: PipelineResponse) -> bool:
        status = response.http_response.status_code
        if response.http_request.method.upper() == "POST" and status != 429:
            return False
        if not super().is_retry(settings, response):
            return False
        wait = self.get_retry_after(response)
        if status == 429 or wait is not None:  # a throttle: back to the caller unless "now"
            return wait is not None and wait <= self.max_retry_after
        return True


class DependencyPolicy(AsyncHTTPPolicy):
    """One Application Insights dependency per call (all its tries), named by the caller."""

    def __init__(self, telemetry: Telemetry, dependency_type: str) -> None:
        super().__init__()
        self._telemetry = telemetry
        self._type = dependency_type

    async def send(self, request: PipelineRequest) -> PipelineResponse:
        name = request.context.options.pop("dependency_name", None) or request.http_request.method
        url = request.http_request.url
        with self._telemetry.dependency(type=self._type, target=url, name=name) as dependency:
            response = await self.next.send(request)
            status = response.http_response.status_code
            dependency.result_code = str(status)
            dependency.success = status < 400 or (status == 404 and request.http_request.method == "DELETE")
            return response


def api_pipeline(
    credential: Any,
    scope: str,
    telemetry: Telemetry,
    settings: SpeechSettings,
    *,
    max_retry_after: float,
    retry_backoff_factor: float,
) -> AsyncPipeline:
    """The Speech batch API's pipeline: bearer token for `scope`, or the key header."""
    if isinstance(credential, AzureKeyCredential):
        auth: Any = AzureKeyCredentialPolicy(credential, KEY_HEADER)
    else:
        auth = AsyncBearerTokenCredentialPolicy(credential, scope)
    policies = [
        RequestIdPolicy(),
        UserAgentPolicy(sdk_moniker=SDK_MONIKER),
        DependencyPolicy(telemetry, "Azure AI Speech"),
        AsyncRedirectPolicy(),
        BoundedRetryPolicy(max_retry_after=max_retry_after, retry_backoff_factor=retry_backoff_factor),
        auth,
        DistributedTracingPolicy(),
        SensitiveHeaderCleanupPolicy(),
        # method, URL with every query value but api-version redacted, allow-listed headers; no
        # NetworkTraceLoggingPolicy: it logs bodies, and the submit body and file list hold SAS URLs
        HttpLoggingPolicy(),
    ]
    return AsyncPipeline(_transport(settings), policies)


def files_pipeline(
    telemetry: Telemetry, settings: SpeechSettings, *, max_retry_after: float, retry_backoff_factor: float
) -> AsyncPipeline:
    """Result files by SAS URL: retries and logging, never a credential, and no redirect (storage
    answers a SAS GET itself; a redirect could only lead to what the URL check refused)."""
    policies = [
        RequestIdPolicy(),
        UserAgentPolicy(sdk_moniker=SDK_MONIKER),
        DependencyPolicy(telemetry, "Azure blob"),
        AsyncRedirectPolicy(permit_redirects=False),
        BoundedRetryPolicy(max_retry_after=max_retry_after, retry_backoff_factor=retry_backoff_factor),
        DistributedTracingPolicy(),
        HttpLoggingPolicy(),
    ]
    return AsyncPipeline(_transport(settings), policies)


def _transport(settings: SpeechSettings) -> AioHttpTransport:
    """The app's aio client options (`transcriber.adapters.client_options`: the environment only for a proxy)."""

    return AioHttpTransport(
        connection_timeout=settings.timeout_seconds, read_timeout=settings.timeout_seconds, **client_options()
    )


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


# Azure Blob Storage's endpoints, public and sovereign clouds: the service keeps result files
# there and hands out read SAS URLs to them (batch transcription's `links.contentUrl`).
BLOB_HOST_SUFFIXES = (".blob.core.windows.net", ".blob.core.chinacloudapi.cn", ".blob.core.usgovcloudapi.net")


def safe_content_url(url: str, base: str) -> bool:
    """A result file's URL the app may fetch: https into Azure Blob Storage, or the Speech
    endpoint's own origin (a local emulator), or plain http between loopback addresses only."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return host.endswith(BLOB_HOST_SUFFIXES) or same_origin(url, base)
    return parts.scheme == "http" and _loopback(parts.hostname) and _loopback(urlsplit(base).hostname)


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
