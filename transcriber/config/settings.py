"""The app's validated configuration: `Settings.from_environ` reads every setting at once.

It takes a mapping so tests pass a dict instead of patching `os.environ`, and reports every bad
setting, not only the first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transcriber.config.batch import BatchSettings, read_batch
from transcriber.config.bindings import erasure_queue, read_jobs_queue, trigger_source
from transcriber.config.budget import BudgetSettings, read_budget
from transcriber.config.callers import CallerAuthSettings, caller_auth
from transcriber.config.defaults import read_defaults, read_formats
from transcriber.config.jobs import callback_hosts, callback_secret, completion_queue, max_dequeue_count
from transcriber.config.speech import SpeechSettings, read_speech
from transcriber.config.storage_connection import StorageConnection
from transcriber.config.telemetry import PrivacySettings, TelemetrySettings, read_privacy, read_telemetry
from transcriber.config.values import boolean, container_name, integer
from transcriber.domain.errors import InvalidSettingsError, SettingError
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.setting_names import (
    AUDIO_CONTAINER,
    AUDIO_MEMORY,
    BLOB_MAX_ATTEMPTS,
    CALLBACK_BACKOFF,
    CALLBACK_MAX_ATTEMPTS,
    CLAIM_TIMEOUT,
    CREATE_CONTAINERS,
    FAILURES_CONTAINER,
    FORMATS,
    MAX_AUDIO_BYTES,
    MAX_AUDIO_SECONDS,
    MAX_DEFERRAL,
    MAX_SAS_LIFETIME_MINUTES,
    MIB,
    PAGE_DIRECT_UPLOADS,
    SAS_LIFETIME,
    SERVICE_MAX_BYTES,
    SERVICE_MAX_SECONDS,
    STORAGE_CONNECTION,
    TRANSCRIPTS_CONTAINER,
    UPLOAD_SAS_LIFETIME,
    URL_ENABLED,
    URL_THRESHOLD,
)


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
    queue_max_dequeue_count: int = 5
    create_containers: bool = False
    claim_timeout_seconds: int = 600
    max_deferral_hours: int = 24
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    caller_auth: CallerAuthSettings = field(default_factory=CallerAuthSettings)
    erasure_queue: str = "blob-deleted"
    jobs_queue: str = "transcription-jobs"
    upload_sas_lifetime_minutes: int = 15
    page_direct_uploads: bool = True
    callback_allowed_hosts: tuple[str, ...] = ()
    callback_secret: str | None = field(default=None, repr=False)
    callback_max_attempts: int = 5
    callback_backoff_ms: int = 2000
    completion_queue: str | None = None
    batch: BatchSettings = field(default_factory=BatchSettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)

    @property
    def containers(self) -> tuple[str, str, str]:
        """Every container the app's clients may point into."""
        return (self.audio_container, self.transcripts_container, self.failures_container)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; InvalidSettingsError lists every bad one, not only the first."""
        env = os.environ if environ is None else environ
        readers: dict[str, Callable[[], Any]] = {
            "speech": lambda: read_speech(env),
            "storage": lambda: StorageConnection.from_settings(env, STORAGE_CONNECTION),
            "telemetry": lambda: read_telemetry(env),
            "audio_container": lambda: container_name(env, AUDIO_CONTAINER, "audio-in"),
            "transcripts_container": lambda: container_name(env, TRANSCRIPTS_CONTAINER, "transcripts"),
            "failures_container": lambda: container_name(env, FAILURES_CONTAINER, "transcription-failures"),
            "trigger_source": lambda: trigger_source(env),
            "defaults": lambda: read_defaults(env),
            "output_formats": lambda: read_formats(env),
            "max_audio_bytes": lambda: integer(env, MAX_AUDIO_BYTES, SERVICE_MAX_BYTES, minimum=1),
            "max_audio_seconds": lambda: integer(env, MAX_AUDIO_SECONDS, SERVICE_MAX_SECONDS, minimum=1),
            "audio_memory_bytes": lambda: integer(env, AUDIO_MEMORY, 1024 * MIB, minimum=1),
            "url_threshold_bytes": lambda: integer(env, URL_THRESHOLD, 8 * MIB, minimum=0),
            "url_enabled": lambda: boolean(env, URL_ENABLED, default=True),
            "sas_lifetime_minutes": lambda: integer(
                env, SAS_LIFETIME, 15, minimum=1, maximum=MAX_SAS_LIFETIME_MINUTES
            ),
            "blob_max_attempts": lambda: integer(env, BLOB_MAX_ATTEMPTS, 5, minimum=1, maximum=100),
            "queue_max_dequeue_count": lambda: max_dequeue_count(env),
            "create_containers": lambda: boolean(env, CREATE_CONTAINERS, default=None),
            # host.json's functionTimeout (10 min): a claim older than that has no live holder
            "claim_timeout_seconds": lambda: integer(env, CLAIM_TIMEOUT, 600, minimum=1, maximum=24 * 3600),
            # a throttled version waits in the queue at most this long, then fails (ThrottledTooLong)
            "max_deferral_hours": lambda: integer(env, MAX_DEFERRAL, 24, minimum=1, maximum=7 * 24),
            "privacy": lambda: read_privacy(env),
            "caller_auth": lambda: caller_auth(env),
            "erasure_queue": lambda: erasure_queue(env),
            "jobs_queue": lambda: read_jobs_queue(env),
            "upload_sas_lifetime_minutes": lambda: integer(
                env, UPLOAD_SAS_LIFETIME, 15, minimum=1, maximum=60
            ),
            "page_direct_uploads": lambda: boolean(env, PAGE_DIRECT_UPLOADS, default=True),
            "callback_allowed_hosts": lambda: callback_hosts(env),
            "callback_secret": lambda: callback_secret(env),
            "callback_max_attempts": lambda: integer(env, CALLBACK_MAX_ATTEMPTS, 5, minimum=1, maximum=10),
            "callback_backoff_ms": lambda: integer(env, CALLBACK_BACKOFF, 2000, minimum=0, maximum=60_000),
            "completion_queue": lambda: completion_queue(env),
            "batch": lambda: read_batch(env),
        }
        values: dict[str, Any] = {}
        problems: list[SettingError] = []
        for field_name, read in readers.items():
            try:
                values[field_name] = read()
            except SettingError as exc:
                problems.append(exc)
        try:  # after the connection, whose table endpoint it needs
            values["budget"] = read_budget(env, values.get("storage"))
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
