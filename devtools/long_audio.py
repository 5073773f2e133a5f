"""Long and large recordings for end-to-end tests of the batch route, made from tests/corpus.

- `long_recording(hours=2.5)`: the corpus's speech clips, each followed by 2 s of silence,
  repeated to the length asked, as 8 kHz 8-bit mono FLAC. FLAC's STREAMINFO header declares the
  total frames, so the duration is known from the first bytes; silence, 8 kHz and 8 bits keep
  the file small (about 20 MB for 2.5 h; speech stays intelligible to pocketsphinx, if poorly).
- `large_recording(min_bytes=320 MiB)`: a 48 kHz 16-bit stereo WAV over the fast API's 300 MB
  limit but under its 2 h one (about 29 min): a corpus clip, then digital silence written as a
  sparse extension of the file, so making it costs almost no time or disk.

Both are cached under `.cache/long_audio/` (repository root) by name and parameters, built once
per machine; a half-written file never replaces the cached one.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile
import soxr

__all__ = ["CACHE_DIR", "CORPUS_DIR", "large_recording", "long_recording"]

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "tests" / "corpus"
CACHE_DIR = ROOT / ".cache" / "long_audio"
_LONG_RATE = 8_000
_GAP_SECONDS = 2.0
_CLIPS = (
    "jfk.flac",
    "cards-001.wav",
    "sense_and_sensibility_01_austen_64kb-0870.wav",
    "cards-002.wav",
    "sense_and_sensibility_01_austen_64kb-0880.wav",
    "cards-003.wav",
    "sense_and_sensibility_01_austen_64kb-0890.wav",
)


def _clip(name: str, rate: int) -> np.ndarray:
    """One corpus file as mono float32 at `rate`."""
    samples, source_rate = soundfile.read(str(CORPUS_DIR / name), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    return soxr.resample(mono, source_rate, rate).astype(np.float32) if source_rate != rate else mono


def _cycle(rate: int) -> Iterator[np.ndarray]:
    gap = np.zeros(int(_GAP_SECONDS * rate), np.float32)
    clips = [np.concatenate([_clip(name, rate), gap]) for name in _CLIPS]
    while True:
        yield from clips


def _publish(target: Path, write: object) -> Path:
    """Write through a temporary name so a crash never leaves a truncated cache entry."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + f".{os.getpid()}.part")
    try:
        write(partial)  # type: ignore[operator]
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def long_recording(hours: float = 2.5, *, cache_dir: Path = CACHE_DIR) -> Path:
    """A FLAC of corpus speech lasting exactly `hours` (built once, then cached)."""
    if hours <= 0:
        raise ValueError("hours must be positive")
    total = round(hours * 3600 * _LONG_RATE)
    target = cache_dir / f"corpus-{hours:g}h-{_LONG_RATE // 1000}k-8bit.flac"
    if target.exists() and soundfile.info(str(target)).frames == total:
        return target

    def write(path: Path) -> None:
        with soundfile.SoundFile(str(path), "w", _LONG_RATE, 1, "PCM_S8", format="FLAC") as out:
            left = total
            for clip in _cycle(_LONG_RATE):
                out.write(clip[:left])
                left -= min(left, len(clip))
                if not left:
                    break

    return _publish(target, write)


def _wav_header(data_bytes: int, rate: int, channels: int) -> bytes:
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def large_recording(min_bytes: int = 320 * 1024 * 1024, *, cache_dir: Path = CACHE_DIR) -> Path:
    """A WAV of at least `min_bytes`: corpus speech, then silence (a sparse file; cached)."""
    rate, channels = 48_000, 2
    block = channels * 2
    frames = -(-max(min_bytes - 44, block) // block)
    if frames * block > 0xFFFFFFFF - 36:
        raise ValueError("a WAV file cannot hold more than 4 GiB of audio")
    target = cache_dir / f"silence-{frames * block + 44}B-48k-stereo.wav"
    if target.exists() and target.stat().st_size == frames * block + 44:
        return target

    def write(path: Path) -> None:
        speech = _clip("jfk.flac", rate)
        pcm = (np.clip(np.repeat(speech[:, None], channels, axis=1), -1, 1) * 32767).astype("<i2").tobytes()
        with path.open("wb") as out:
            out.write(_wav_header(frames * block, rate, channels))
            out.write(pcm[: frames * block])
            out.truncate(44 + frames * block)  # the rest reads back as zeros: silence

    return _publish(target, write)
