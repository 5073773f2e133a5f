"""Azure AI Speech settings: the endpoint (custom subdomain for tokens), key, api-version, timeout,
and the pace (requests per minute and at once) each instance starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from transcriber.config.values import get, integer
from transcriber.domain.errors import SettingError
from transcriber.domain.setting_names import (
    API_VERSIONS,
    CLIENT_ID,
    DEFAULT_API_VERSION,
    SERVICE_REQUESTS_PER_MINUTE,
    SPEECH_API_KEY,
    SPEECH_API_VERSION,
    SPEECH_CONCURRENCY,
    SPEECH_ENDPOINT,
    SPEECH_RATE,
    SPEECH_TIMEOUT,
)


@dataclass(frozen=True)
class SpeechSettings:
    """Where and how to reach Azure AI Speech."""

    endpoint: str
    api_key: str | None
    api_version: str
    client_id: str | None
    timeout_seconds: float
    requests_per_minute: int = SERVICE_REQUESTS_PER_MINUTE  # where each instance's pace starts
    max_concurrency: int = 32  # requests in flight per instance

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).hostname or ""


def read_speech(env: Mapping[str, str]) -> SpeechSettings:
    endpoint = get(env, SPEECH_ENDPOINT)
    if endpoint is None:
        raise SettingError(SPEECH_ENDPOINT, "is required (e.g. https://<name>.cognitiveservices.azure.com)")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(
            SPEECH_ENDPOINT, "must be an http(s) URL such as https://<name>.cognitiveservices.azure.com"
        )
    if parts.query or parts.path.strip("/"):
        raise SettingError(SPEECH_ENDPOINT, "must be the resource endpoint alone, without a path or query")
    api_key = get(env, SPEECH_API_KEY)
    host = parts.hostname
    if api_key is None and parts.scheme == "https" and _is_regional(host):
        raise SettingError(
            SPEECH_ENDPOINT,
            f"{host} is a regional endpoint, and token (managed identity) authentication only works with "
            "the resource's custom-subdomain endpoint https://<resource-name>.cognitiveservices.azure.com: "
            f"set {SPEECH_ENDPOINT} to it (or set {SPEECH_API_KEY} for key authentication)",
        )
    api_version = get(env, SPEECH_API_VERSION) or DEFAULT_API_VERSION
    if api_version not in API_VERSIONS:
        raise SettingError(SPEECH_API_VERSION, f"must be one of {', '.join(API_VERSIONS)}")
    timeout = integer(env, SPEECH_TIMEOUT, 540, minimum=1, maximum=3600)
    return SpeechSettings(
        endpoint.rstrip("/"),
        api_key,
        api_version,
        get(env, CLIENT_ID),
        float(timeout),
        requests_per_minute=integer(
            env, SPEECH_RATE, SERVICE_REQUESTS_PER_MINUTE, minimum=1, maximum=100_000
        ),
        max_concurrency=integer(env, SPEECH_CONCURRENCY, 32, minimum=1, maximum=1000),
    )


def _is_regional(host: str) -> bool:
    """`<region>.api.cognitive.microsoft.com` and `<region>.stt.speech.microsoft.com` are shared hosts."""
    return host.endswith((".api.cognitive.microsoft.com", ".stt.speech.microsoft.com")) or (
        host.endswith(".cognitiveservices.azure.com") and host.count(".") == 3 and host.startswith("api.")
    )
