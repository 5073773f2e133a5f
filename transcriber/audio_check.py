"""Is this audio? A look at the first bytes before anything is sent to the service.

`filetype` recognises audio containers (WAV, FLAC, OGG, MP3, M4A, AMR, AIFF, WebM ...) and the
common non-audio files people upload by mistake (PDF, images, archives, documents). Bytes it does
not know and that are not text go on to the service, which has the last word (422 when it fails).
"""

from __future__ import annotations

import filetype

from transcriber.errors import AudioRejectedError, UnsupportedMediaError

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


def _looks_like_text(sample: bytes) -> bool:
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
