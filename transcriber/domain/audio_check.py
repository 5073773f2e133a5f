"""Is this audio, and within the service's limits? Checked before anything is downloaded or sent."""

from __future__ import annotations

import filetype

from transcriber.domain.audio_header import declared_seconds
from transcriber.domain.errors import (
    AudioRejectedError,
    AudioTooLargeError,
    AudioTooLongError,
    UnsupportedMediaError,
)
from transcriber.domain.setting_names import MAX_AUDIO_BYTES, MAX_AUDIO_SECONDS

SNIFF_BYTES = 8192
_AUDIO_VIDEO_MIMES = ("audio/", "video/webm", "video/mp4", "video/ogg", "video/x-matroska", "video/3gpp")


def check_audio(head: bytes) -> str | None:
    """Raise for empty or clearly non-audio content; return the detected MIME type, if any."""
    if not head:
        raise AudioRejectedError("the audio is empty", code="EmptyAudioFile")
    kind = filetype.guess(head[:SNIFF_BYTES])
    if kind is not None:
        if kind.mime.startswith(_AUDIO_VIDEO_MIMES):
            return kind.mime
        raise UnsupportedMediaError(f"the content is {kind.mime} ({kind.extension}), not audio")
    if _looks_like_text(head[:SNIFF_BYTES]):
        raise UnsupportedMediaError("the content is text, not audio")
    return None


def check_size(size: int, max_bytes: int) -> None:
    """Refuse audio over the size limit before any of it moves."""
    if size > max_bytes:
        raise AudioTooLargeError(
            f"the audio is {size} bytes; the limit is {max_bytes} bytes ({MAX_AUDIO_BYTES})"
        )


def check_duration(head: bytes, size: int, max_seconds: int) -> float | None:
    """Refuse audio whose header declares more than the duration limit; the declared seconds."""
    seconds = declared_seconds(head, size)
    if seconds is not None and seconds > max_seconds:
        raise AudioTooLongError(
            f"the audio's header declares {seconds:.0f} s; the limit is {max_seconds} s ({MAX_AUDIO_SECONDS})"
        )
    return seconds


def _looks_like_text(sample: bytes) -> bool:
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
