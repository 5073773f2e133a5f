"""A job's audio, a range at a time (GET /api/transcriptions/{id}/audio): what the page plays.

Only the version the job transcribed is served: audio removed when the job ended (unless it was
kept, `keepAudio`), deleted, or replaced since answers as missing, so the transcript's times
always match the sound.
"""

from __future__ import annotations

from dataclasses import dataclass

from transcriber.domain.byte_ranges import ByteRange, byte_range
from transcriber.domain.errors import BlobNotFoundError
from transcriber.domain.job_record import JobRecord
from transcriber.domain.setting_names import MIB
from transcriber.services import TranscriptionService

MAX_ANSWER_BYTES = 8 * MIB  # an answer's bytes are held in memory: players ask again for the rest
GONE = "the job's audio is gone (removed when the job ended, deleted or replaced)"


@dataclass(frozen=True)
class AudioPart:
    """Bytes of a job's audio, where they sit in it, and its content type."""

    data: bytes
    range: ByteRange
    content_type: str


async def read_job_audio(
    service: TranscriptionService, record: JobRecord, range_header: str | None
) -> AudioPart:
    """The part of the job's audio `range_header` asks for (`transcriber.domain.byte_ranges`)."""
    source = record.source
    if record.audio_removed_at:
        raise BlobNotFoundError(GONE)
    info = await service.store.properties(source.container, source.name)
    if info.etag != source.etag:
        raise BlobNotFoundError(GONE)
    wanted = byte_range(range_header, info.size, MAX_ANSWER_BYTES)
    data = b""
    if wanted.length:
        read, data = await service.store.read_range(
            source.container, source.name, wanted.start, wanted.length
        )
        if read.etag != source.etag:  # replaced between the two reads
            raise BlobNotFoundError(GONE)
    return AudioPart(data, wanted, playable_type(info.content_type))


def playable_type(content_type: str | None) -> str:
    """The blob's type when it is audio or video; anything else (a caller set it: text/html, say)
    is served as bytes, never as something a browser would render on the app's origin."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind if kind.startswith(("audio/", "video/")) and kind.isascii() else "application/octet-stream"
