"""Audio bytes -> 16 kHz float samples per channel, the form the engine and the service reason in.

soundfile (bundled libsndfile) reads WAV, FLAC and OGG Vorbis/Opus at any rate and channel count;
MP3, and what it cannot read (M4A/AAC, which the live service accepts), go to PyAV (bundled
FFmpeg). libsndfile's MP3 decoder (libmpg123), read block by block as the length bound needs,
loses the bit reservoir at some block edges: a click in the samples and an
`[src/libmpg123/layer3.c:...] error: part2_3_length ... too large` line on stderr, from a valid
file. soxr resamples properly (band-limited), which matters for recognition accuracy.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
import soundfile
import soxr

from devtools.speech_emulator.errors import ServiceError

logger = logging.getLogger(__name__)

__all__ = ["ENGINE_RATE", "DecodedAudio", "decode_audio", "to_pcm16"]

ENGINE_RATE = 16_000
_BLOCK_FRAMES = 1 << 16
_UNDECODABLE = "The audio stream could not be decoded with the provided configuration."
# What libsndfile, PyAV and soxr raise on a malformed file (a flipped header field, a `fmt `
# chunk of the wrong size, a truncated stream): the audio is undecodable, a 422 as the service
# answers, never the emulator's 500. PyAV raises AttributeError for a stream whose codec it does
# not know; soxr raises ValueError/OverflowError for rates out of its range.
_LIBRARY_ERRORS = (
    soundfile.LibsndfileError, RuntimeError, TypeError, ValueError, IndexError, AttributeError,
    OverflowError, ZeroDivisionError, MemoryError, EOFError, OSError,
)  # fmt: skip


@dataclass(frozen=True)
class DecodedAudio:
    """Samples at `ENGINE_RATE`, shape (frames, channels), float32 in [-1, 1]."""

    samples: np.ndarray
    source_rate: int
    source_format: str

    @property
    def channel_count(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_ms(self) -> int:
        return round(self.samples.shape[0] * 1000 / ENGINE_RATE)

    def channel(self, index: int) -> np.ndarray:
        return np.ascontiguousarray(self.samples[:, index])

    def mono(self) -> np.ndarray:
        """All channels merged, as the service does when `channels` is not given."""
        return self.samples.mean(axis=1) if self.channel_count > 1 else self.channel(0)


def decode_audio(data: bytes, max_seconds: float) -> DecodedAudio:
    """Decode and resample; 422 EmptyAudioFile/InvalidAudioFormat, 400 AudioLengthLimitExceeded."""
    if not data:
        raise ServiceError.unprocessable("EmptyAudioFile", "The audio is empty.")
    try:
        info = soundfile.info(io.BytesIO(data))
        if info.duration > max_seconds:
            raise _too_long(info.duration, max_seconds)
        if info.format == "MP3":
            samples, rate, _ = _decode_with_av(data, max_seconds)
        else:
            samples, rate = _read_bounded(data, max_seconds)
        source_format = str(info.format)
    except ServiceError:
        raise
    except _LIBRARY_ERRORS as exc:
        logger.debug("soundfile cannot read the audio (%d bytes): %s; trying PyAV", len(data), exc)
        samples, rate, source_format = _decode_with_av(data, max_seconds)
    if samples.shape[0] == 0:
        raise ServiceError.unprocessable("EmptyAudioFile", "The audio holds no samples.")
    if rate != ENGINE_RATE:
        try:
            samples = soxr.resample(samples, rate, ENGINE_RATE).reshape(-1, samples.shape[1])
        except _LIBRARY_ERRORS as exc:  # a rate soxr cannot convert from
            raise ServiceError.unprocessable("InvalidAudioFormat", _UNDECODABLE) from exc
    # A float file may hold NaN or infinities (a flipped format field reads PCM as float).
    samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
    return DecodedAudio(np.clip(samples, -1.0, 1.0).astype(np.float32, copy=False), rate, source_format)


def _decode_with_av(data: bytes, max_seconds: float) -> tuple[np.ndarray, int, str]:
    """M4A/AAC (and anything else FFmpeg reads) -> float32 (frames, channels) at the source rate."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                raise ServiceError.unprocessable("InvalidAudioFormat", _UNDECODABLE)
            stream = container.streams.audio[0]
            if container.duration is not None and container.duration / av.time_base > max_seconds:
                raise _too_long(container.duration / av.time_base, max_seconds)
            rate = int(stream.rate or stream.codec_context.sample_rate)
            resampler = av.AudioResampler(format="fltp", rate=rate)
            chunks, frames = [], 0
            for frame in container.decode(stream):  # counted as decoded: a header may lie
                for converted in resampler.resample(frame):
                    chunks.append(converted.to_ndarray())
                    frames += chunks[-1].shape[1]
                if frames > max_seconds * rate:
                    raise _too_long(frames / rate, max_seconds)
            fmt = container.format.name.split(",")[0].upper()
    except ServiceError:
        raise
    except (av.FFmpegError, *_LIBRARY_ERRORS) as exc:
        logger.debug("undecodable audio (%d bytes): %s", len(data), exc)
        raise ServiceError.unprocessable("InvalidAudioFormat", _UNDECODABLE) from exc
    if not chunks:
        raise ServiceError.unprocessable("EmptyAudioFile", "The audio holds no samples.")
    samples = np.concatenate(chunks, axis=1).T.astype(np.float32, copy=False)
    if samples.shape[0] / rate > max_seconds:
        raise _too_long(samples.shape[0] / rate, max_seconds)
    return samples, rate, fmt


def _too_long(seconds: float, max_seconds: float) -> ServiceError:
    return ServiceError.invalid_argument(
        "AudioLengthLimitExceeded",
        f"The audio lasts {seconds:.1f} s; this emulator accepts at most {max_seconds:g} s.",
    )


def _read_bounded(data: bytes, max_seconds: float) -> tuple[np.ndarray, int]:
    """Decode block by block, counting decoded samples: a header's claims are not trusted."""
    with soundfile.SoundFile(io.BytesIO(data)) as source:
        rate, channels, blocks, frames = source.samplerate, source.channels, [], 0
        while len(block := source.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)):
            frames += len(block)
            if frames > max_seconds * rate:
                raise _too_long(frames / rate, max_seconds)
            blocks.append(block)
    return (np.concatenate(blocks) if blocks else np.zeros((0, channels), np.float32)), rate


def to_pcm16(samples: np.ndarray) -> bytes:
    """16-bit little-endian PCM, what pocketsphinx's `process_raw` takes."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
