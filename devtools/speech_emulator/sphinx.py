"""pocketsphinx decoding: 16 kHz samples -> timed words -> phrases.

The decoder settings were tuned on tests/corpus (see bench/bench_accuracy.py): fewer active
HMMs and Gaussians than the defaults keep the word error rate (about 0.26) while cutting decode
time by about a third. `reinit_feat()` before every utterance resets the cepstral-mean and noise
estimates, which otherwise carry over and make the same audio decode differently on a second
request. Long audio is decoded in chunks of at most `CHUNK_SECONDS`, cut at the quietest moment
near each boundary; digital silence is skipped because the model hallucinates words in it.
A chunk is also the unit the decoder runners schedule (`workers`): one request's chunks go to the
decoders one after another, so a short request waits for one chunk of a long one, not all of it.

Phrases end at pauses (`recognition.group_phrases`). The decoder's word timings often absorb
part of a pause into the words beside it, so each pause between two words is the longer of the
gap between their timings (the decoder's `<sil>`) and the longest quiet run of 10 ms frames
between the middles of the two words, quiet meaning a quarter of the way from the chunk's noise
floor to its speech level (in dB).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from devtools.speech_emulator.audio import ENGINE_RATE, to_pcm16
from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord, group_phrases

logger = logging.getLogger(__name__)

__all__ = [
    "DECODER_OPTIONS",
    "HeardChunk",
    "create_decoder",
    "decode_chunk",
    "phrases_of",
    "recognize",
    "speech_chunks",
]

DECODER_OPTIONS: dict[str, Any] = {"maxhmmpf": 5000, "topn": 3}
CHUNK_SECONDS = 30.0
_CUT_SEARCH_SECONDS = 5.0
_FRAME_MS = 10  # pocketsphinx's frame rate is 100 per second
_SILENCE_DBFS = -55.0
_FLOOR_DB = -100.0
_QUIET_SHARE = 0.25  # of the way from the noise floor (5th percentile) to speech (95th), in dB
_ALTERNATE = re.compile(r"\(\d+\)$")


def create_decoder(**overrides: Any) -> Any:
    """A pocketsphinx decoder with the bundled en-US model (about 0.5 s to load)."""
    from pocketsphinx import Decoder

    return Decoder(samprate=ENGINE_RATE, loglevel="FATAL", **{**DECODER_OPTIONS, **overrides})


def recognize(decoder: Any, samples: np.ndarray) -> list[RecognizedPhrase]:
    """Recognise mono 16 kHz float samples; an empty list means no speech."""
    heard = [
        decode_chunk(decoder, samples[start:end], offset_ms=start * 1000 // ENGINE_RATE)
        for start, end in speech_chunks(samples)
    ]
    return phrases_of(heard)


@dataclass(frozen=True)
class HeardChunk:
    """One chunk's words, timed from the start of the audio, and the pause after each but the last."""

    words: list[RecognizedWord]
    pauses_ms: list[int]


def phrases_of(chunks: list[HeardChunk]) -> list[RecognizedPhrase]:
    """The chunks' words in phrases; between chunks the pause is the gap between their timings."""
    words: list[RecognizedWord] = []
    pauses: list[int] = []
    for chunk in chunks:
        if words and chunk.words:
            pauses.append(max(0, chunk.words[0].offset_ms - words[-1].end_ms))
        words.extend(chunk.words)
        pauses.extend(chunk.pauses_ms)
    return group_phrases(words, pauses)


def speech_chunks(samples: np.ndarray) -> Iterator[tuple[int, int]]:
    """The sample ranges to decode: chunks of at most CHUNK_SECONDS, silent ones left out."""
    for start, end in _chunk_bounds(samples):
        if not _is_silent(samples[start:end]):
            yield start, end


def decode_chunk(decoder: Any, chunk: np.ndarray, offset_ms: int) -> HeardChunk:
    """One chunk's words and pauses (the chunk starts at `offset_ms` in the audio)."""
    words = _decode_words(decoder, chunk, offset_ms)
    return HeardChunk(words, _pauses(words, _quiet_frames(chunk), offset_ms))


def _decode_words(decoder: Any, chunk: np.ndarray, offset_ms: int) -> list[RecognizedWord]:
    """One chunk's words, timed from the start of the audio (the chunk starts at `offset_ms`)."""
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(to_pcm16(chunk), full_utt=True)
    decoder.end_utt()
    words = []
    for segment in decoder.seg() or ():  # None when the audio is too short to segment (< ~70 ms)
        token = segment.word
        if token.startswith(("<", "[")):  # <s>, </s>, <sil>, [NOISE], [SPEECH]...
            continue
        start, end = segment.start_frame, segment.end_frame
        words.append(
            RecognizedWord(
                text=_ALTERNATE.sub("", token),
                offset_ms=offset_ms + start * _FRAME_MS,
                duration_ms=(end - start + 1) * _FRAME_MS,
                confidence=float(min(max(segment.prob, 0.0), 1.0)),
            )
        )
    return words


def _chunk_bounds(samples: np.ndarray) -> list[tuple[int, int]]:
    """Sample ranges of at most CHUNK_SECONDS, each cut at the quietest 10 ms near its end."""
    limit = int(CHUNK_SECONDS * ENGINE_RATE)
    frame = ENGINE_RATE * _FRAME_MS // 1000
    bounds, start = [], 0
    while len(samples) - start > limit:
        window_start = start + limit - int(_CUT_SEARCH_SECONDS * ENGINE_RATE)
        window = samples[window_start : start + limit]
        energy = np.square(window[: len(window) // frame * frame].reshape(-1, frame)).mean(axis=1)
        cut = window_start + int(np.argmin(energy)) * frame + frame // 2
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(samples)))
    return bounds


def _is_silent(chunk: np.ndarray) -> bool:
    """True when even the loudest 10 ms stays below -55 dBFS (digital or near silence)."""
    frame = ENGINE_RATE * _FRAME_MS // 1000
    usable = chunk[: len(chunk) // frame * frame]
    if usable.size == 0:
        return True
    loudest = float(np.sqrt(np.square(usable.reshape(-1, frame)).mean(axis=1).max()))
    return loudest <= 10 ** (_SILENCE_DBFS / 20)


def _quiet_frames(chunk: np.ndarray) -> np.ndarray:
    """One bool per 10 ms frame: quieter than a quarter of the way from noise floor to speech."""
    frame = ENGINE_RATE * _FRAME_MS // 1000
    usable = chunk[: len(chunk) // frame * frame].reshape(-1, frame)
    power = np.square(usable, dtype=np.float64).mean(axis=1)
    level = 10 * np.log10(np.maximum(power, 10 ** (_FLOOR_DB / 10)))
    floor, speech = np.percentile(level, [5, 95]) if level.size else (_FLOOR_DB, _FLOOR_DB)
    return np.asarray(level < floor + _QUIET_SHARE * (speech - floor))


def _pauses(words: list[RecognizedWord], quiet: np.ndarray, offset_ms: int) -> list[int]:
    """The pause between each pair of neighbouring words, in ms (see the module's docstring)."""
    pauses = []
    for before, after in itertools.pairwise(words):
        gap = max(0, after.offset_ms - before.end_ms)
        first = (before.offset_ms + before.end_ms) // 2 - offset_ms
        last = (after.offset_ms + after.end_ms) // 2 - offset_ms
        pauses.append(max(gap, _longest_run(quiet[first // _FRAME_MS : last // _FRAME_MS]) * _FRAME_MS))
    return pauses


def _longest_run(flags: np.ndarray) -> int:
    """The length of the longest run of True in `flags`."""
    if not flags.any():
        return 0
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())
