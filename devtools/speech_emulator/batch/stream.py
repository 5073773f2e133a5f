"""Audio for batch jobs: downloaded to a temporary file, then decoded block by block.

Memory stays bounded whatever the recording's length or size: the download streams to disk, and
decoding yields blocks of at most `BLOCK_SECONDS` at 16 kHz (soundfile for WAV/FLAC/OGG/MP3, PyAV
for what libsndfile cannot read, such as M4A/AAC), resampled with a streaming soxr resampler.
Frames are counted as decoded: a header's claims are not trusted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import soundfile
import soxr

from devtools.speech_emulator.audio import ENGINE_RATE
from devtools.speech_emulator.journal import redact_url

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the SAS query

__all__ = ["BLOCK_SECONDS", "AudioBlock", "JobFailure", "decode_blocks", "download", "ssl_context"]

BLOCK_SECONDS = 30.0
_CHUNK_BYTES = 1 << 20


class JobFailure(Exception):
    """One audio file of a job cannot be transcribed: `code` and `message` go to the report."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AudioBlock:
    """Consecutive samples, shape (frames, channels), at `rate`, from frame `start` of the audio."""

    start: int
    samples: np.ndarray
    rate: int

    @property
    def offset_ms(self) -> int:
        return self.start * 1000 // self.rate

    @property
    def end_ms(self) -> int:
        return (self.start + len(self.samples)) * 1000 // self.rate


def ssl_context(ca_file: Path | str | None) -> ssl.SSLContext:
    """Trust `ca_file`, else `SSL_CERT_FILE`, else the system store (as the fast route's fetch)."""
    cafile = ca_file or os.environ.get("SSL_CERT_FILE") or None
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


async def download(
    url: str, directory: Path, *, max_bytes: int, timeout_seconds: float, ca_file: Path | str | None
) -> Path:
    """Stream `url` to a new file in `directory`; JobFailure("FailedToDownload") if it cannot be had."""
    shown = redact_url(url)
    handle, name = tempfile.mkstemp(dir=directory, suffix=".audio")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            async with (
                httpx.AsyncClient(
                    verify=ssl_context(ca_file), timeout=timeout_seconds, follow_redirects=True
                ) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code >= 400:
                    raise JobFailure(
                        "FailedToDownload",
                        f"The recording at {shown} could not be downloaded: HTTP {response.status_code}.",
                    )
                written = 0
                async for chunk in response.aiter_bytes(_CHUNK_BYTES):
                    written += len(chunk)
                    if written > max_bytes:
                        raise JobFailure(
                            "InvalidData", f"The recording at {shown} is larger than {max_bytes} bytes."
                        )
                    out.write(chunk)
        return path
    except httpx.HTTPError as exc:
        path.unlink(missing_ok=True)
        raise JobFailure(
            "FailedToDownload", f"The recording at {shown} could not be downloaded ({type(exc).__name__})."
        ) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def decode_blocks(path: Path, max_seconds: float, *, resample: bool = True) -> Iterator[AudioBlock]:
    """Blocks of the audio at `path` (16 kHz unless `resample` is False: then the source rate)."""
    try:
        source = soundfile.SoundFile(str(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError):
        yield from _decode_with_av(path, max_seconds, resample)
        return
    with source:
        rate, channels = source.samplerate, source.channels
        yield from _resampled(
            (block for block in source.blocks(int(BLOCK_SECONDS * rate), dtype="float32", always_2d=True)),
            rate,
            channels,
            max_seconds,
            resample,
        )


def _resampled(
    blocks: Iterator[np.ndarray], rate: int, channels: int, max_seconds: float, resample: bool
) -> Iterator[AudioBlock]:
    stream = (
        soxr.ResampleStream(rate, ENGINE_RATE, channels, dtype="float32")
        if resample and rate != ENGINE_RATE
        else None
    )
    out_rate = ENGINE_RATE if resample else rate
    frames_in, frames_out = 0, 0
    for block in blocks:
        frames_in += len(block)
        if frames_in > max_seconds * rate:
            raise JobFailure("InvalidData", f"The recording is longer than {max_seconds:g} s.")
        samples = stream.resample_chunk(block) if stream is not None else block
        if len(samples):
            yield AudioBlock(frames_out, samples.reshape(-1, channels), out_rate)
            frames_out += len(samples)
    if stream is not None:
        tail = stream.resample_chunk(np.zeros((0, channels), np.float32), last=True)
        if len(tail):
            yield AudioBlock(frames_out, tail.reshape(-1, channels), out_rate)
    if frames_in == 0:
        raise JobFailure("InvalidData", "The recording holds no audio samples.")


def _decode_with_av(path: Path, max_seconds: float, resample: bool) -> Iterator[AudioBlock]:
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise JobFailure("InvalidData", "The recordings URI contains invalid data.")
            stream = container.streams.audio[0]
            rate = int(stream.rate or stream.codec_context.sample_rate)
            channels = stream.codec_context.channels or 1
            target = ENGINE_RATE if resample else rate
            resampler = av.AudioResampler(format="flt", rate=target)

            def frames() -> Iterator[np.ndarray]:
                pending: list[np.ndarray] = []
                size = 0
                for frame in container.decode(stream):
                    for converted in resampler.resample(frame):
                        pending.append(converted.to_ndarray().reshape(-1, channels))
                        size += len(pending[-1])
                    if size >= BLOCK_SECONDS * target:
                        yield np.concatenate(pending)
                        pending, size = [], 0
                if pending:
                    yield np.concatenate(pending)

            yield from _resampled(frames(), target, channels, max_seconds, resample=False)
    except JobFailure:
        raise
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise JobFailure("InvalidData", "The recordings URI contains invalid data.") from exc


@contextlib.contextmanager
def removing(path: Path) -> Iterator[Path]:
    """Delete `path` when done."""
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
