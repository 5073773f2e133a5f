"""Which blobs go to batch: over fast transcription's limits by size or declared duration."""

from __future__ import annotations

from transcriber.adapters.batch.submission import check_batch_options
from transcriber.config import MAX_AUDIO_BYTES, MAX_AUDIO_SECONDS, Settings
from transcriber.domain.audio_header import declared_seconds
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import AudioRejectedError, BatchOnlyError, UnsupportedBatchOptionError
from transcriber.domain.options import OptionError, TranscriptionRequestOptions

# The fast service's codes for audio over its limits (measured: a 2 h 05 min recording, a 320 MB file).
SERVICE_LIMIT_CODES = frozenset({"AudioLengthLimitExceeded", "AudioSizeLimitExceeded"})
JOBS_ROUTE = "/api/transcriptions"


class UseBatch(Exception):
    """Raised inside the blob flow when a blob turns out to need batch (never escapes it)."""


def over_fast_limits(settings: Settings, info: BlobInfo, head: bytes) -> str | None:
    """Why this blob version exceeds fast transcription's limits (a setting name), or None."""
    if info.size > settings.max_audio_bytes:
        return MAX_AUDIO_BYTES
    seconds = declared_seconds(head, info.size)
    if seconds is not None and seconds > settings.max_audio_seconds:
        return MAX_AUDIO_SECONDS
    return None


def takes_batch(settings: Settings, info: BlobInfo, head: bytes) -> bool:
    """The blob goes to batch: batch is on and the blob is over a fast limit."""
    return settings.batch.enabled and over_fast_limits(settings, info, head) is not None


def rerouted(settings: Settings, error: BaseException) -> bool:
    """The fast service refused the audio as too long or too large, and batch can take it."""
    return (
        settings.batch.enabled and isinstance(error, AudioRejectedError) and error.code in SERVICE_LIMIT_CODES
    )


def refuse_for_http(settings: Settings, info: BlobInfo, head: bytes) -> None:
    """/api/transcribe answers within 230 s: a blob batch must take is a 413 naming the jobs route."""
    reason = over_fast_limits(settings, info, head)
    if reason is None or not settings.batch.enabled:
        return
    what = "larger" if reason == MAX_AUDIO_BYTES else "longer"
    raise BatchOnlyError(
        f"the blob is {what} than fast transcription takes ({reason}); POST it to {JOBS_ROUTE}, "
        f"which transcribes it by batch and reports its status (BATCH_TRANSCRIPTION_ENABLED)",
        code="UseTranscriptionsJob",
    )


def batch_option_error(
    options: TranscriptionRequestOptions, defaults: TranscriptionRequestOptions
) -> UnsupportedBatchOptionError | None:
    """The error naming the first option batch transcription lacks, or None when it has them all.

    `options` over the app's `defaults`, as the batch job will take them (`flows/batch/step.py`).
    """
    try:
        merged = options.with_defaults(defaults)
    except OptionError:  # a clash with a default: the caller's options, as the batch job takes them
        merged = options
    try:
        check_batch_options(merged)
    except UnsupportedBatchOptionError as exc:
        return exc
    return None


def refuse_batch_options(
    settings: Settings, info: BlobInfo, head: bytes, options: TranscriptionRequestOptions
) -> None:
    """For a job about to be queued: a blob batch must take, with an option batch lacks, is a 400 now."""
    if takes_batch(settings, info, head):
        error = batch_option_error(options, settings.defaults)
        if error is not None:
            raise error
