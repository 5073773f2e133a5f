"""Every app setting, read and validated in one place.

`Settings.from_environ(mapping)` takes a mapping so tests pass a dict instead of patching
`os.environ`; every error names the setting at fault. Storage connection settings are parsed
by `transcriber.storage_connection`, which the Functions host's own naming dictates.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from transcriber.errors import SettingError, TranscriberError

__all__ = [
    "CallerAuthSettings",
    "InvalidSettingsError",
    "PrivacySettings",
    "SettingError",
    "Settings",
    "SpeechSettings",
    "TelemetrySettings",
]
from transcriber.options import OptionError, TranscriptionRequestOptions
from transcriber.storage_connection import StorageConnection

AUDIO_CONTAINER = "AUDIO_CONTAINER"
TRANSCRIPTS_CONTAINER = "TRANSCRIPTS_CONTAINER"
FAILURES_CONTAINER = "FAILURES_CONTAINER"
CREATE_CONTAINERS = "CREATE_CONTAINERS"
CLAIM_TIMEOUT = "BLOB_CLAIM_TIMEOUT_SECONDS"
BLOB_TRIGGER_SOURCE = "BLOB_TRIGGER_SOURCE"
STORAGE_CONNECTION = "AudioStorage"
SPEECH_ENDPOINT = "AZURE_SPEECH_ENDPOINT"
SPEECH_API_KEY = "AZURE_SPEECH_API_KEY"
SPEECH_API_VERSION = "AZURE_SPEECH_API_VERSION"
CLIENT_ID = "AZURE_CLIENT_ID"
LOCALES = "TRANSCRIPTION_LOCALES"
DIARIZATION = "TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS"
CHANNELS = "TRANSCRIPTION_CHANNELS"
PROFANITY = "TRANSCRIPTION_PROFANITY_MODE"
PHRASE_LIST = "TRANSCRIPTION_PHRASE_LIST"
BIASING_WEIGHT = "TRANSCRIPTION_PHRASE_LIST_BIASING_WEIGHT"
TASK = "TRANSCRIPTION_ENHANCED_TASK"
TARGET_LANGUAGE = "TRANSCRIPTION_TARGET_LANGUAGE"
PROMPT = "TRANSCRIPTION_PROMPT"
MODEL = "TRANSCRIPTION_MODEL"
TIMESTAMPS = "TRANSCRIPTION_TIMESTAMPS"
STYLE = "TRANSCRIPTION_STYLE"
OUTPUT_FORMATS = "OUTPUT_FORMATS"
MAX_AUDIO_BYTES = "MAX_AUDIO_BYTES"
MAX_AUDIO_SECONDS = "MAX_AUDIO_SECONDS"
AUDIO_MEMORY = "AUDIO_MEMORY_BYTES"
URL_THRESHOLD = "AUDIO_URL_THRESHOLD_BYTES"
SAS_LIFETIME = "AUDIO_SAS_LIFETIME_MINUTES"
SPEECH_TIMEOUT = "SPEECH_TIMEOUT_SECONDS"
BLOB_MAX_ATTEMPTS = "BLOB_MAX_ATTEMPTS"
APPINSIGHTS_CONNECTION = "APPLICATIONINSIGHTS_CONNECTION_STRING"
APPINSIGHTS_AUTH = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"
TELEMETRY_BACKEND = "TELEMETRY_BACKEND"
INCLUDE_BLOB_NAMES = "TELEMETRY_INCLUDE_BLOB_NAMES"
NAME_KEY = "TELEMETRY_NAME_KEY"
URL_ENABLED = "AUDIO_URL_ENABLED"
ERASURE_QUEUE = "ERASURE_QUEUE"
HTTP_AUTH_MODE = "HTTP_AUTH_MODE"
TRANSCRIBE_APP_ROLE = "TRANSCRIBE_APP_ROLE"
JOBS_QUEUE = "TRANSCRIPTION_JOBS_QUEUE"
UPLOAD_SAS_LIFETIME = "UPLOAD_SAS_LIFETIME_MINUTES"
CALLBACK_ALLOWED_HOSTS = "CALLBACK_ALLOWED_HOSTS"
CALLBACK_SECRET = "CALLBACK_SIGNING_SECRET"
CALLBACK_MAX_ATTEMPTS = "CALLBACK_MAX_ATTEMPTS"
CALLBACK_BACKOFF = "CALLBACK_BACKOFF_MILLISECONDS"
COMPLETION_QUEUE = "COMPLETION_QUEUE"

TRIGGER_SOURCES = ("EventGrid", "LogsAndContainerScan")
FORMATS = ("txt", "srt", "vtt")
TELEMETRY_BACKENDS = ("opencensus", "opentelemetry")
HTTP_AUTH_MODES = ("function", "entra")
MAX_SAS_LIFETIME_MINUTES = 60
API_VERSIONS = ("2024-11-15", "2025-10-15")
DEFAULT_API_VERSION = "2025-10-15"
MIB = 1024 * 1024
# The fast transcription service's limits (quota page, 2026-01: under 300 MB and 120 minutes).
SERVICE_MAX_BYTES = 300 * MIB
SERVICE_MAX_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class SpeechSettings:
    """Where and how to reach Azure AI Speech."""

    endpoint: str
    api_key: str | None
    api_version: str
    client_id: str | None
    timeout_seconds: float

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).hostname or ""


@dataclass(frozen=True)
class TelemetrySettings:
    """Application Insights export; no connection string means no exporter at all."""

    connection_string: str | None
    backend: str
    entra_auth: bool
    client_id: str | None


@dataclass(frozen=True)
class PrivacySettings:
    """Blob names are personal data: telemetry and logs carry a keyed hash unless names are allowed."""

    include_blob_names: bool = False
    name_key: str | None = None


@dataclass(frozen=True)
class CallerAuthSettings:
    """Who may call POST /api/transcribe: a function key, or Entra ID with an app role."""

    mode: str = "function"
    app_role: str | None = None


@dataclass(frozen=True)
class Settings:
    """The app's validated configuration."""

    speech: SpeechSettings
    storage: StorageConnection
    telemetry: TelemetrySettings
    audio_container: str = "audio-in"
    transcripts_container: str = "transcripts"
    failures_container: str = "transcription-failures"
    trigger_source: str = "EventGrid"
    defaults: TranscriptionRequestOptions = field(default_factory=TranscriptionRequestOptions)
    output_formats: tuple[str, ...] = FORMATS
    max_audio_bytes: int = SERVICE_MAX_BYTES
    max_audio_seconds: int = SERVICE_MAX_SECONDS
    audio_memory_bytes: int = 1024 * MIB
    url_threshold_bytes: int = 8 * MIB
    url_enabled: bool = True
    sas_lifetime_minutes: int = 15
    blob_max_attempts: int = 5
    create_containers: bool = False
    claim_timeout_seconds: int = 600
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    caller_auth: CallerAuthSettings = field(default_factory=CallerAuthSettings)
    erasure_queue: str = "blob-deleted"
    jobs_queue: str = "transcription-jobs"
    upload_sas_lifetime_minutes: int = 15
    callback_allowed_hosts: tuple[str, ...] = ()
    callback_secret: str | None = field(default=None, repr=False)
    callback_max_attempts: int = 5
    callback_backoff_ms: int = 2000
    completion_queue: str | None = None

    @property
    def containers(self) -> tuple[str, str, str]:
        """Every container the app's clients may point into."""
        return (self.audio_container, self.transcripts_container, self.failures_container)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; InvalidSettingsError lists every bad one, not only the first."""
        env = os.environ if environ is None else environ
        readers: dict[str, Callable[[], Any]] = {
            "speech": lambda: _speech(env),
            "storage": lambda: StorageConnection.from_settings(env, STORAGE_CONNECTION),
            "telemetry": lambda: _telemetry(env),
            "audio_container": lambda: _container(env, AUDIO_CONTAINER, "audio-in"),
            "transcripts_container": lambda: _container(env, TRANSCRIPTS_CONTAINER, "transcripts"),
            "failures_container": lambda: _container(env, FAILURES_CONTAINER, "transcription-failures"),
            "trigger_source": lambda: trigger_source(env),
            "defaults": lambda: _defaults(env),
            "output_formats": lambda: _formats(env),
            "max_audio_bytes": lambda: _int(env, MAX_AUDIO_BYTES, SERVICE_MAX_BYTES, minimum=1),
            "max_audio_seconds": lambda: _int(env, MAX_AUDIO_SECONDS, SERVICE_MAX_SECONDS, minimum=1),
            "audio_memory_bytes": lambda: _int(env, AUDIO_MEMORY, 1024 * MIB, minimum=1),
            "url_threshold_bytes": lambda: _int(env, URL_THRESHOLD, 8 * MIB, minimum=0),
            "url_enabled": lambda: _bool(env, URL_ENABLED, default=True),
            "sas_lifetime_minutes": lambda: _int(
                env, SAS_LIFETIME, 15, minimum=1, maximum=MAX_SAS_LIFETIME_MINUTES
            ),
            "blob_max_attempts": lambda: _int(env, BLOB_MAX_ATTEMPTS, 5, minimum=1, maximum=100),
            "create_containers": lambda: _bool(env, CREATE_CONTAINERS, default=None),
            # host.json's functionTimeout (10 min): a claim older than that has no live holder
            "claim_timeout_seconds": lambda: _int(env, CLAIM_TIMEOUT, 600, minimum=1, maximum=24 * 3600),
            "privacy": lambda: PrivacySettings(
                bool(_bool(env, INCLUDE_BLOB_NAMES, default=False)), _get(env, NAME_KEY)
            ),
            "caller_auth": lambda: caller_auth(env),
            "erasure_queue": lambda: erasure_queue(env),
            "jobs_queue": lambda: _jobs_queue(env),
            "upload_sas_lifetime_minutes": lambda: _int(env, UPLOAD_SAS_LIFETIME, 15, minimum=1, maximum=60),
            "callback_allowed_hosts": lambda: _callback_hosts(env),
            "callback_secret": lambda: _callback_secret(env),
            "callback_max_attempts": lambda: _int(env, CALLBACK_MAX_ATTEMPTS, 5, minimum=1, maximum=10),
            "callback_backoff_ms": lambda: _int(env, CALLBACK_BACKOFF, 2000, minimum=0, maximum=60_000),
            "completion_queue": lambda: (
                _container(env, COMPLETION_QUEUE, "") if _get(env, COMPLETION_QUEUE) else None
            ),
        }
        values: dict[str, Any] = {}
        problems: list[SettingError] = []
        for field_name, read in readers.items():
            try:
                values[field_name] = read()
            except SettingError as exc:
                problems.append(exc)
        if problems:
            raise InvalidSettingsError(problems)
        names = {values["audio_container"], values["transcripts_container"], values["failures_container"]}
        if len(names) < 3:
            raise InvalidSettingsError(
                [
                    SettingError(
                        FAILURES_CONTAINER, "the audio, transcripts and failures containers must differ"
                    )
                ]
            )
        if values["create_containers"] is None:  # local (a connection string): create what is missing
            values["create_containers"] = values["storage"].connection_string is not None
        return cls(**values)


class InvalidSettingsError(SettingError):
    """One or more settings are invalid; `problems` holds one SettingError per bad setting."""

    def __init__(self, problems: list[SettingError]) -> None:
        TranscriberError.__init__(self, "; ".join(p.message for p in problems))
        self.setting = problems[0].setting
        self.problems = problems


def trigger_source(env: Mapping[str, str]) -> str:
    """The blob trigger's source; read at import by function_app, so it stands alone."""
    value = _get(env, BLOB_TRIGGER_SOURCE) or "EventGrid"
    for source in TRIGGER_SOURCES:
        if value.lower() == source.lower():
            return source
    raise SettingError(BLOB_TRIGGER_SOURCE, f"must be one of {', '.join(TRIGGER_SOURCES)}")


def trigger_binding(env: Mapping[str, str]) -> tuple[str, str]:
    """(audio container, trigger source) for indexing, never raising: defaults stand in for invalid
    values, so the app still starts and says what is wrong (the same error fails every invocation)."""
    try:
        container = audio_container(env)
    except SettingError:
        container = "audio-in"
    try:
        source = trigger_source(env)
    except SettingError:
        source = "EventGrid"
    return container, source


def jobs_queue(env: Mapping[str, str]) -> str:
    """The jobs queue's name for indexing (the queue trigger), never raising, as trigger_binding."""
    try:
        return _jobs_queue(env)
    except SettingError:
        return "transcription-jobs"


def _jobs_queue(env: Mapping[str, str]) -> str:
    return _container(env, JOBS_QUEUE, "transcription-jobs")  # queue names follow the container rules


def _callback_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    """Hosts (`name` or `name:port`) a callbackUrl may point at; none means callbacks are off."""
    hosts = tuple(
        h.strip().lower() for h in (_get(env, CALLBACK_ALLOWED_HOSTS) or "").split(",") if h.strip()
    )
    for host in hosts:
        if not re.fullmatch(r"[a-z0-9.-]+(:[0-9]{1,5})?", host) or host.startswith(("*", ".")):
            raise SettingError(CALLBACK_ALLOWED_HOSTS, "lists host names (or name:port), comma-separated")
    if hosts and not _get(env, CALLBACK_SECRET):
        raise SettingError(CALLBACK_SECRET, f"is required when {CALLBACK_ALLOWED_HOSTS} is set")
    return hosts


def _callback_secret(env: Mapping[str, str]) -> str | None:
    secret = _get(env, CALLBACK_SECRET)
    if secret is not None and len(secret) < 32:
        raise SettingError(CALLBACK_SECRET, "must be at least 32 characters (e.g. openssl rand -hex 32)")
    return secret


def audio_container(env: Mapping[str, str]) -> str:
    """The audio container name; function_app's trigger path needs it at import."""
    return _container(env, AUDIO_CONTAINER, "audio-in")


def erasure_queue(env: Mapping[str, str]) -> str:
    """The queue Event Grid delivers BlobDeleted events to; the queue trigger needs it at import."""
    value = _get(env, ERASURE_QUEUE) or "blob-deleted"
    ok = 3 <= len(value) <= 63 and value[0].isalnum() and value[-1].isalnum() and "--" not in value
    if not ok or not all(c.islower() or c.isdigit() or c == "-" for c in value):
        raise SettingError(ERASURE_QUEUE, "is not a valid queue name (3-63 lower-case letters, digits, '-')")
    return value


def http_auth_mode(env: Mapping[str, str]) -> str:
    """`function` (a key) or `entra`; function_app reads it at import to choose the auth level."""
    mode = (_get(env, HTTP_AUTH_MODE) or "function").lower()
    if mode not in HTTP_AUTH_MODES:
        raise SettingError(HTTP_AUTH_MODE, f"must be one of {', '.join(HTTP_AUTH_MODES)}")
    return mode


def caller_auth(env: Mapping[str, str]) -> CallerAuthSettings:
    """How HTTP callers authenticate, with the app role Entra ID callers need."""
    mode = http_auth_mode(env)
    role = _get(env, TRANSCRIBE_APP_ROLE)
    if mode == "entra" and role is None:
        raise SettingError(
            TRANSCRIBE_APP_ROLE, "is required with HTTP_AUTH_MODE=entra (the app role callers need)"
        )
    return CallerAuthSettings(mode, role if mode == "entra" else None)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def _speech(env: Mapping[str, str]) -> SpeechSettings:
    endpoint = _get(env, SPEECH_ENDPOINT)
    if endpoint is None:
        raise SettingError(SPEECH_ENDPOINT, "is required (e.g. https://<name>.cognitiveservices.azure.com)")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(
            SPEECH_ENDPOINT, "must be an http(s) URL such as https://<name>.cognitiveservices.azure.com"
        )
    if parts.query or parts.path.strip("/"):
        raise SettingError(SPEECH_ENDPOINT, "must be the resource endpoint alone, without a path or query")
    api_key = _get(env, SPEECH_API_KEY)
    host = parts.hostname
    if api_key is None and parts.scheme == "https" and _is_regional(host):
        raise SettingError(
            SPEECH_ENDPOINT,
            f"{host} is a regional endpoint, and token (managed identity) authentication only works with "
            "the resource's custom-subdomain endpoint https://<resource-name>.cognitiveservices.azure.com: "
            f"set {SPEECH_ENDPOINT} to it (or set {SPEECH_API_KEY} for key authentication)",
        )
    api_version = _get(env, SPEECH_API_VERSION) or DEFAULT_API_VERSION
    if api_version not in API_VERSIONS:
        raise SettingError(SPEECH_API_VERSION, f"must be one of {', '.join(API_VERSIONS)}")
    timeout = _int(env, SPEECH_TIMEOUT, 540, minimum=1, maximum=3600)
    return SpeechSettings(endpoint.rstrip("/"), api_key, api_version, _get(env, CLIENT_ID), float(timeout))


def _is_regional(host: str) -> bool:
    """`<region>.api.cognitive.microsoft.com` and `<region>.stt.speech.microsoft.com` are shared hosts."""
    return host.endswith((".api.cognitive.microsoft.com", ".stt.speech.microsoft.com")) or (
        host.endswith(".cognitiveservices.azure.com") and host.count(".") == 3 and host.startswith("api.")
    )


def _telemetry(env: Mapping[str, str]) -> TelemetrySettings:
    backend = (_get(env, TELEMETRY_BACKEND) or "opencensus").lower()
    if backend not in TELEMETRY_BACKENDS:
        raise SettingError(TELEMETRY_BACKEND, f"must be one of {', '.join(TELEMETRY_BACKENDS)}")
    auth = _get(env, APPINSIGHTS_AUTH)
    entra, client_id = False, None
    if auth:
        pairs = dict(p.split("=", 1) for p in auth.split(";") if "=" in p)
        if pairs.get("Authorization", "").upper() != "AAD":
            raise SettingError(
                APPINSIGHTS_AUTH, "must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<id>'"
            )
        entra, client_id = True, pairs.get("ClientId") or None
    return TelemetrySettings(_get(env, APPINSIGHTS_CONNECTION), backend, entra, client_id)


def _defaults(env: Mapping[str, str]) -> TranscriptionRequestOptions:
    """Default transcription options; the same rules as a caller's options, errors name the setting."""
    try:
        return TranscriptionRequestOptions.parse(
            locales=[_get(env, LOCALES) or "en-US"],
            diarization=_get(env, DIARIZATION),
            channels=_get(env, CHANNELS),
            profanity=_get(env, PROFANITY),
            phrases=_get(env, PHRASE_LIST),
            biasing_weight=_get(env, BIASING_WEIGHT),
            task=_get(env, TASK),
            target_language=_get(env, TARGET_LANGUAGE),
            prompt=_get(env, PROMPT),  # one prompt
            model=_get(env, MODEL),
            timestamps=_get(env, TIMESTAMPS),
            style=_get(env, STYLE),
        )
    except OptionError as exc:
        setting = _OPTION_SETTINGS[exc.option]
        problem = _without_value(str(exc).split(": ", 1)[1], env.get(setting) or "")
        raise SettingError(setting, problem) from None


_OPTION_SETTINGS = {
    "locale": LOCALES,
    "diarization": DIARIZATION,
    "channels": CHANNELS,
    "profanity": PROFANITY,
    "phrases": PHRASE_LIST,
    "biasing_weight": BIASING_WEIGHT,
    "task": TASK,
    "target_language": TARGET_LANGUAGE,
    "prompt": PROMPT,
    "model": MODEL,
    "timestamps": TIMESTAMPS,
    "style": STYLE,
}


def _formats(env: Mapping[str, str]) -> tuple[str, ...]:
    value = _get(env, OUTPUT_FORMATS)
    if value is None:
        return FORMATS
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SettingError(OUTPUT_FORMATS, f"names an unknown format; choose from {', '.join(FORMATS)}")
    return formats


def _container(env: Mapping[str, str], name: str, default: str) -> str:
    value = _get(env, name) or default
    ok = 3 <= len(value) <= 63 and value[0].isalnum() and "--" not in value
    if not ok or not all(c.islower() or c.isdigit() or c == "-" for c in value):
        raise SettingError(name, "is not a valid container name (3-63 lower-case letters, digits, '-')")
    return value


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    value = _get(env, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, "must be a whole number") from None
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingError(name, f"must be {bound}")
    return number


def _bool(env: Mapping[str, str], name: str, *, default: bool | None) -> bool | None:
    value = _get(env, name)
    if value is None:
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise SettingError(name, "must be true or false")


def _without_value(problem: str, value: str) -> str:
    """A problem text that does not repeat the setting's value (nor any piece of it)."""
    pieces = sorted({value.strip(), *re.split(r"[,;\s]+", value)} - {""}, key=len, reverse=True)
    for piece in pieces:
        problem = re.sub(rf"(?<!\w){re.escape(piece)}(?!\w)", "<value>", problem)
    return problem
