"""The chaos run's blobs: a seeded mix of recordings, bad files and hostile names.

Every recording has a size no other blob has, so the Speech emulator's journal (which records
the audio part's size) tells which blob each request was for.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass

# Names storage keeps as they are (the host delivers only blobs that exist), which a decoding
# layer would turn into a way out of the container, or which no output name could fit.
HOSTILE_NAMES = (
    "%2e%2e/other/escape.wav",
    "x/%2E%2E/%2e%2e/other/a.wav",
    "%252e%252e/b.wav",
    "..%2f..%2fother%2fc.wav",
    "ctl\x01name.wav",
    "nul%00.wav",
    "x" * 1020,
)


@dataclass(frozen=True)
class ChaosBlob:
    """One source blob; `hostile` ones have names the app must refuse."""

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
            name = f"{index}/{rng.choice(HOSTILE_NAMES)}"[:1020]
            blobs.append(ChaosBlob(name, "hostile", b"RIFF", "audio/wav"))
        index += 1
    return blobs[:count]
