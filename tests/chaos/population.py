"""The chaos run's blobs: a seeded mix of recordings, bad files and hostile names.

Every recording has a size no other blob has, so the Speech emulator's journal (which records
the audio part's size) tells which blob each request was for.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass

HOSTILE_NAMES = (
    "../escape.wav",
    "x/y/../../../other/a.wav",
    "%2e%2e/other/b.wav",
    "..",
    "a\\..\\b.wav",
    "/rooted.wav",
    "ctl\x01name.wav",
    "x" * 1100 + ".wav",
)


@dataclass(frozen=True)
class ChaosBlob:
    """One source blob (or, for `kind == "hostile"`, only an event naming one)."""

    name: str
    kind: str  # "audio", "text", "empty", "hostile"
    data: bytes
    content_type: str


def wav(samples: int, seed: int) -> bytes:
    """A 16 kHz mono 16-bit WAV of `samples` samples of noise (44 + 2 * samples bytes)."""
    rng = random.Random(seed)
    pcm = struct.pack(f"<{samples}h", *(rng.randint(-2000, 2000) for _ in range(samples)))
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 16_000, 32_000, 2, 16)
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + fmt
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


def population(count: int, rng: random.Random) -> list[ChaosBlob]:
    """`count` events' blobs: ~80% audio (some in colliding pairs `x` / `failed/x`), text, empty, hostile."""
    blobs: list[ChaosBlob] = []
    index = 0
    while len(blobs) < count:
        roll, samples = rng.random(), 800 + 2 * index
        stem = f"run/{index:05d} take {rng.choice(['a', 'ü', '名', 'b c'])}.wav"
        if roll < 0.04:  # `pair.wav` once wrote where `failed/pair.wav`'s record went
            blobs.append(ChaosBlob(f"pair{index:05d}.wav", "audio", wav(samples, index), "audio/wav"))
            blobs.append(
                ChaosBlob(f"failed/pair{index:05d}.wav", "audio", wav(samples + 1, -index), "audio/wav")
            )
        elif roll < 0.80:
            blobs.append(ChaosBlob(stem, "audio", wav(samples, index), "audio/wav"))
        elif roll < 0.90:
            blobs.append(ChaosBlob(stem, "text", f"notes {index}, not a recording".encode(), "text/plain"))
        elif roll < 0.96:
            blobs.append(ChaosBlob(stem, "empty", b"", "audio/wav"))
        else:
            blobs.append(ChaosBlob(f"{index}/{rng.choice(HOSTILE_NAMES)}", "hostile", b"", ""))
        index += 1
    return blobs[:count]
