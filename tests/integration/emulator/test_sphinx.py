"""Decoding helpers: chunking long audio, skipping silence, phrases at pauses, speaker labels."""

from __future__ import annotations

import itertools

import numpy as np

from devtools.speech_emulator.audio import ENGINE_RATE
from devtools.speech_emulator.recognition import PHRASE_GAP_MS, RecognizedWord, group_phrases
from devtools.speech_emulator.speakers import assign_speakers
from devtools.speech_emulator.sphinx import CHUNK_SECONDS, _chunk_bounds, _is_silent


def test_sphinx_long_audio_is_cut_into_contiguous_chunks_at_quiet_moments() -> None:
    rng = np.random.default_rng(1)
    samples = rng.normal(0, 0.1, int(75 * ENGINE_RATE)).astype(np.float32)
    quiet = int(28 * ENGINE_RATE)
    samples[quiet : quiet + 1600] = 0.0
    bounds = _chunk_bounds(samples)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(samples)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(end - start <= CHUNK_SECONDS * ENGINE_RATE for start, end in bounds)
    assert quiet <= bounds[0][1] < quiet + 1600


def test_sphinx_short_audio_is_one_chunk() -> None:
    assert _chunk_bounds(np.zeros(ENGINE_RATE, dtype=np.float32)) == [(0, ENGINE_RATE)]


def test_sphinx_silence_gate_passes_speech_level_and_stops_near_silence() -> None:
    rng = np.random.default_rng(2)
    assert _is_silent(np.zeros(ENGINE_RATE, dtype=np.float32))
    assert _is_silent(rng.normal(0, 0.0005, ENGINE_RATE).astype(np.float32))
    assert not _is_silent(rng.normal(0, 0.05, ENGINE_RATE).astype(np.float32))


def test_recognition_phrases_split_at_long_pauses_only() -> None:
    def word(start: int) -> RecognizedWord:
        return RecognizedWord("w", start, 200, 1.0)

    words = [word(0), word(250), word(450 + PHRASE_GAP_MS), word(700 + PHRASE_GAP_MS)]
    assert [len(p.words) for p in group_phrases(words)] == [2, 2]
    assert group_phrases([]) == []


def test_speakers_follow_the_dominant_channel_and_respect_max_speakers() -> None:
    phrases = group_phrases([RecognizedWord("a", 0, 400, 1.0), RecognizedWord("b", 1500, 400, 1.0)])
    stereo = np.zeros((2 * ENGINE_RATE, 2), dtype=np.float32)
    stereo[: ENGINE_RATE // 2, 0] = 0.5
    stereo[ENGINE_RATE:, 1] = 0.5
    assert assign_speakers(stereo, phrases, max_speakers=2) == [1, 2]
    assert assign_speakers(stereo, phrases, max_speakers=1) == [1, 1]
    assert assign_speakers(stereo[:, :1], phrases, max_speakers=5) == [1, 1]
