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
# ASF's header object GUID: Windows Media Audio (WMA) files, which `filetype` calls video (WMV)
_ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_FRAME_MIMES = ("audio/mpeg", "audio/aac")
_AUDIO_VIDEO_MIMES = ("audio/", "video/webm", "video/mp4", "video/ogg", "video/x-matroska", "video/3gpp")


def check_audio(head: bytes) -> str:
    """The audio's MIME type, known by its first bytes; raise for empty content, and for content
    whose first bytes are no audio format's (text, documents, archives, random bytes): Azure AI
    Speech reads only audio in a container or frames it recognises, so anything else is refused
    here (415) before any call, not by the service (422)."""
    if not head:
        raise AudioRejectedError("the audio is empty", code="EmptyAudioFile")
    sample = head[:SNIFF_BYTES]
    own = _audio_signature(sample)
    if own is not None:
        return own
    kind = filetype.guess(sample)
    if kind is not None and kind.mime in _FRAME_MIMES and sample[0] == 0xFF:
        kind = None  # frames are `_audio_signature`'s: filetype reads only two bytes of them
    if kind is not None:
        if kind.mime.startswith(_AUDIO_VIDEO_MIMES):
            return kind.mime
        raise UnsupportedMediaError(f"the content is {kind.mime} ({kind.extension}), not audio")
    if _looks_like_text(sample):
        raise UnsupportedMediaError("the content is text, not audio")
    raise UnsupportedMediaError(
        "the content is not audio: its first bytes are those of no audio format Azure AI Speech "
        "reads (WAV, MP3, OGG/Opus, FLAC, WMA, AAC, AMR, WebM, M4A/MP4)"
    )


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


def _audio_signature(head: bytes) -> str | None:
    """What `filetype` does not know or names as video: RF64/BW64 WAV, ASF (WMA), and MPEG audio
    or ADTS frames without an ID3 tag (a frame header whose fields are all valid)."""
    if head[:4] in (b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:16] == _ASF_HEADER:
        return "audio/x-ms-wma"
    if len(head) < 4 or head[0] != 0xFF:
        return None
    second, third = head[1], head[2]
    if second & 0xF6 == 0xF0 and (third >> 2) & 0xF < 13:  # ADTS: layer 00, a known frequency index
        return "audio/aac"
    version, layer = (second >> 3) & 3, (second >> 1) & 3
    bitrate, frequency = third >> 4, (third >> 2) & 3
    if second & 0xE0 == 0xE0 and version != 1 and layer != 0 and bitrate != 0xF and frequency != 3:
        return "audio/mpeg"
    return None


def _looks_like_text(sample: bytes) -> bool:
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
