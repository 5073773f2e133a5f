"""Settings of one emulator instance, and the service constants it imitates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "ECHO_TEXT",
    "ENGINES",
    "PREVIEW_API_VERSION",
    "SPEECH_AUDIENCE",
    "EmulatorConfig",
]

PREVIEW_API_VERSION = "2024-05-15-preview"
DEFAULT_API_VERSION = "2025-10-15"
# Versions the real service answers; the preview one names its timing fields offset/duration.
API_VERSIONS: tuple[str, ...] = (PREVIEW_API_VERSION, "2024-11-15", DEFAULT_API_VERSION)
# Token audience of Azure AI services (the SDK asks for `<audience>/.default`).
SPEECH_AUDIENCE = "https://cognitiveservices.azure.com"
ENGINES: tuple[str, ...] = ("pocketsphinx", "echo")
# What the echo engine "hears" unless told otherwise.
ECHO_TEXT = "the quick brown fox jumps over the lazy dog"

# Service limits differ between Microsoft's documents (250-500 MB, 2 h); these are the quota page's.
DEFAULT_MAX_BYTES = 300 * 1024 * 1024
DEFAULT_MAX_SECONDS = 2 * 60 * 60.0
# Batch transcription: 1 GB per file (quota page of 2026-01); no length limit is published
# ("longer audio"), so the emulator's is a setting, generous by default.
DEFAULT_BATCH_MAX_BYTES = 1024 * 1024 * 1024
DEFAULT_BATCH_MAX_SECONDS = 24 * 60 * 60.0


@dataclass(frozen=True)
class EmulatorConfig:
    """How one emulator listens, authenticates and transcribes.

    `key=None` makes the emulator pick a random key (read it back as `RunningEmulator.key`),
    so a forgotten key never means "anything goes". Bearer tokens are accepted only when
    `cert_file`/`key_file` make the emulator serve https, as azure-core sends tokens only there.
    `refuse_keys` imitates a resource with `disableLocalAuth: true`. `ca_file` is the CA bundle
    trusted when fetching `audioUrl` (default: `SSL_CERT_FILE`, then the system store).
    `echo_text` is the transcript the `echo` engine answers (lower-case words, as an engine hears).
    `batch_max_bytes`/`batch_max_seconds` bound one recording of a batch job;
    `batch_hour_seconds` is how long one hour of a job's `timeToLiveHours` lasts (tests shorten
    it to see a finished job deleted, as the service deletes it once its time to live is over).
    `decoder_processes` > 0 decodes in that many worker processes (pocketsphinx holds the GIL
    while decoding, so a thread would stall the server); 0 decodes in a thread under a lock.
    `quota_rpm` limits fast transcription to that many requests a minute (a token bucket holding
    `quota_burst` requests, by default 10 seconds of the rate); beyond it the emulator answers 429
    with `Retry-After`, as the live service does. `batch_quota_rpm`/`batch_quota_burst` do the
    same for the batch REST operations. None: unlimited (see `quota`).
    """

    host: str = "127.0.0.1"
    port: int = 0
    engine: str = "pocketsphinx"
    key: str | None = None
    refuse_keys: bool = False
    cert_file: Path | str | None = None
    key_file: Path | str | None = None
    audience: str = SPEECH_AUDIENCE
    max_bytes: int = DEFAULT_MAX_BYTES
    max_seconds: float = DEFAULT_MAX_SECONDS
    ca_file: Path | str | None = None
    audio_url_timeout_seconds: float = 30.0
    region: str = "East US"  # what the recordings show in x-ms-region
    echo_text: str = ECHO_TEXT
    decoder_processes: int = 1
    batch_max_bytes: int = DEFAULT_BATCH_MAX_BYTES
    batch_max_seconds: float = DEFAULT_BATCH_MAX_SECONDS
    batch_hour_seconds: float = 3600.0
    quota_rpm: int | None = None
    quota_burst: int | None = None
    batch_quota_rpm: int | None = None
    batch_quota_burst: int | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("cert_file and key_file go together (https needs both)")
        if self.refuse_keys and self.cert_file is None:
            raise ValueError(
                "refuse_keys needs https (cert_file/key_file): bearer tokens would be the only way in"
            )
        if (
            min(
                self.max_bytes,
                self.max_seconds,
                self.batch_max_bytes,
                self.batch_max_seconds,
                self.batch_hour_seconds,
            )
            <= 0
        ):
            raise ValueError("max_bytes, max_seconds and their batch_ twins must be positive")
        if not self.echo_text.split():
            raise ValueError("echo_text must hold at least one word")
        if self.decoder_processes < 0:
            raise ValueError("decoder_processes must be 0 (in-thread) or more")
        for rpm, burst, name in (
            (self.quota_rpm, self.quota_burst, "quota"),
            (self.batch_quota_rpm, self.batch_quota_burst, "batch_quota"),
        ):
            if rpm is not None and rpm < 1:
                raise ValueError(f"{name}_rpm must be at least 1 (None: unlimited)")
            if burst is not None and (rpm is None or burst < 1):
                raise ValueError(f"{name}_burst must be at least 1 and needs {name}_rpm")

    @property
    def https(self) -> bool:
        """Whether the emulator serves TLS (and so accepts bearer tokens)."""
        return self.cert_file is not None
