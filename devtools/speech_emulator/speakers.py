"""Speaker labels for diarization, which pocketsphinx cannot do: deterministic and plausible.

Rule: a phrase belongs to speaker 1 + the index of the channel carrying clearly more of its
energy (at least 6 dB more) on multi-channel audio, such as a call recorded one party per
channel; otherwise it keeps the previous phrase's speaker (speaker 1 at the start). Mono audio
is therefore all speaker 1. Labels never exceed `max_speakers`.
"""

from __future__ import annotations

import numpy as np

from devtools.speech_emulator.audio import ENGINE_RATE
from devtools.speech_emulator.recognition import RecognizedPhrase

__all__ = ["assign_speakers"]

_DOMINANCE = 4.0  # energy ratio, i.e. 6 dB


def assign_speakers(samples: np.ndarray, phrases: list[RecognizedPhrase], max_speakers: int) -> list[int]:
    """One speaker number (1-based) per phrase; `samples` has shape (frames, channels)."""
    speakers: list[int] = []
    current = 1
    for phrase in phrases:
        start = phrase.offset_ms * ENGINE_RATE // 1000
        end = max(start + 1, (phrase.offset_ms + phrase.duration_ms) * ENGINE_RATE // 1000)
        if samples.shape[1] > 1:
            energy = np.square(samples[start:end]).sum(axis=0)
            order = np.argsort(energy)[::-1]
            if energy[order[0]] >= _DOMINANCE * max(float(energy[order[1]]), 1e-12):
                current = int(order[0]) + 1
        speakers.append(min(current, max_speakers))
    return speakers
