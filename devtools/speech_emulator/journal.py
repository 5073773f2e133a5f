"""What each request looked like, for assertions in tests: never a key, token or SAS signature."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from devtools.speech_emulator.auth import AuthKind

__all__ = ["Journal", "JournalEntry", "redact_url"]


def redact_url(url: str) -> str:
    """The URL without query and fragment: a SAS URL's signature must not be kept."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


@dataclass
class JournalEntry:
    """One transcription request as the emulator saw it.

    `auth` is the kind of credential presented (even when refused); `audio_bytes` the size of
    the multipart `audio` part (None when absent, or when the body could not be read); `audio_url` the `audioUrl` used, without its
    query (None when audio came in the request); `definition` the parsed definition JSON (its
    audioUrl redacted the same way); `status` None when a fault dropped the connection;
    `throttled` when the quota refused the request (429, body not read, so `audio_bytes` None).
    """

    method: str
    path: str
    api_version: str | None
    auth: AuthKind
    audio_bytes: int | None = None
    audio_url: str | None = None
    definition: dict[str, Any] | None = None
    status: int | None = None
    fault: str | None = None
    error_code: str | None = None
    audio_seconds: float | None = None
    request_id: str = ""
    operation: str = "transcribe"  # or a batch operation: submit, status, files, delete
    throttled: bool = False

    @property
    def used_audio_url(self) -> bool:
        """Whether the audio was fetched from `audioUrl` rather than sent in the request."""
        return self.audio_url is not None


class Journal:
    """Thread-safe list of `JournalEntry`, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[JournalEntry] = []

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        """A copy of the entries so far."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
