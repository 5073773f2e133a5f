"""Recordings of read sentences, made at test time with Debian's flite (`make setup` installs it).

Each sentence is synthesised on its own, trimmed of flite's leading and trailing silence, and
the sentences are joined with the pauses asked for, so the recording's pauses are exactly those
and the tests know where each sentence starts and ends. The `slt` voice: pocketsphinx hears it
best of flite's voices (word error rate about 0.07 on these sentences, 0.20 with `kal16`).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

__all__ = ["ReadSentences", "read_sentences"]

VOICE = "slt"
_TRIM_LEVEL = 0.01  # |sample| above this is speech, not flite's silence


@dataclass(frozen=True)
class ReadSentences:
    """16-bit WAV bytes, and where each sentence starts and ends (ms)."""

    audio: bytes
    spans_ms: list[tuple[int, int]]


def read_sentences(sentences: Sequence[str], pauses_seconds: Sequence[float]) -> ReadSentences:
    """The sentences read one after another, `pauses_seconds[i]` of silence after sentence i."""
    if len(pauses_seconds) != len(sentences) - 1:
        raise ValueError("one pause between each two sentences")
    flite = shutil.which("flite")
    if flite is None:
        raise RuntimeError("flite is missing: `make setup` installs it (apt-get install flite)")
    parts, spans, rate, position = [], [], 0, 0
    with tempfile.TemporaryDirectory(prefix="read-sentences-") as scratch:
        for index, sentence in enumerate(sentences):
            target = Path(scratch) / f"{index}.wav"
            subprocess.run([flite, "-voice", VOICE, "-t", sentence, "-o", str(target)], check=True)
            samples, rate = soundfile.read(target, dtype="float32")
            loud = np.flatnonzero(np.abs(samples) > _TRIM_LEVEL)
            speech = samples[loud[0] : loud[-1] + 1]
            spans.append((position * 1000 // rate, (position + len(speech)) * 1000 // rate))
            parts.append(speech)
            position += len(speech)
            if index < len(pauses_seconds):
                parts.append(np.zeros(round(pauses_seconds[index] * rate), dtype=np.float32))
                position += len(parts[-1])
    out = io.BytesIO()
    soundfile.write(out, np.concatenate(parts), rate, format="WAV", subtype="PCM_16")
    return ReadSentences(out.getvalue(), spans)
