"""Decoding helpers: chunking long audio, skipping silence, phrases at pauses, speaker labels."""

from __future__ import annotations

import itertools

import numpy as np

from devtools.speech_emulator.audio import ENGINE_RATE
from devtools.speech_emulator.recognition import (
    MAX_PHRASE_MS,
    MIN_PHRASE_WORDS,
    PHRASE_PAUSE_MS,
    RecognizedWord,
    group_phrases,
)
from devtools.speech_emulator.speakers import assign_speakers
from devtools.speech_emulator.sphinx import CHUNK_SECONDS, _chunk_bounds, _is_silent, _pauses, _quiet_frames


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


def _word(start: int, duration: int = 200) -> RecognizedWord:
    return RecognizedWord("w", start, duration, 1.0)


def test_recognition_phrases_split_at_pauses_only() -> None:
    words = [_word(0), _word(250), _word(500), _word(950 + PHRASE_PAUSE_MS), _word(1200 + PHRASE_PAUSE_MS)]
    assert [len(p.words) for p in group_phrases(words)] == [3, 2]
    assert group_phrases([]) == []


def test_recognition_pauses_heard_by_the_engine_split_words_whose_timings_touch() -> None:
    words = [_word(i * 200) for i in range(6)]
    pauses = [0, 0, PHRASE_PAUSE_MS, PHRASE_PAUSE_MS - 10, 0]
    assert [len(p.words) for p in group_phrases(words, pauses)] == [3, 3]


def test_recognition_a_pause_after_a_word_or_two_stays_inside_the_phrase() -> None:
    """ "And, ... ask not, what your country": a comma's pause ends no phrase of fewer than
    MIN_PHRASE_WORDS words, as the service keeps it inside its sentence."""
    words = [_word(i * 1000) for i in range(8)]
    pauses = [800] * 7
    lengths = [len(p.words) for p in group_phrases(words, pauses)]
    assert lengths == [MIN_PHRASE_WORDS, MIN_PHRASE_WORDS, 8 - 2 * MIN_PHRASE_WORDS]


def test_recognition_a_long_run_without_a_pause_is_split_at_its_longest_pauses() -> None:
    count = MAX_PHRASE_MS * 27 // 10 // 300  # 2.7 times the longest phrase, a word every 300 ms
    words = [_word(i * 300, 250) for i in range(count)]
    pauses = [120 if i in (count // 3, 2 * count // 3) else 50 for i in range(count - 1)]
    phrases = group_phrases(words, pauses)
    assert all(p.duration_ms <= MAX_PHRASE_MS for p in phrases)
    assert sum(len(p.words) for p in phrases) == count
    assert [p.words[0].offset_ms for p in phrases] == [
        0,
        (count // 3 + 1) * 300,
        (2 * count // 3 + 1) * 300,
    ]


def test_sphinx_a_quiet_stretch_between_words_is_a_pause_even_inside_their_timings() -> None:
    chunk = np.random.default_rng(3).normal(0, 0.1, ENGINE_RATE * 2).astype(np.float32)
    chunk[ENGINE_RATE // 2 : ENGINE_RATE // 2 + 5600] = 0.0  # 350 ms of silence from 500 ms
    words = [_word(100, 700), _word(800, 600)]  # the decoder stretched the first word over it
    assert _pauses(words, _quiet_frames(chunk), offset_ms=0) == [350]


def test_speakers_follow_the_dominant_channel_and_respect_max_speakers() -> None:
    first = [RecognizedWord("a", i * 100, 80, 1.0) for i in range(MIN_PHRASE_WORDS)]
    second = [RecognizedWord("b", 1500 + i * 100, 80, 1.0) for i in range(MIN_PHRASE_WORDS)]
    phrases = group_phrases(first + second)
    assert len(phrases) == 2
    stereo = np.zeros((2 * ENGINE_RATE, 2), dtype=np.float32)
    stereo[: ENGINE_RATE // 2, 0] = 0.5
    stereo[ENGINE_RATE:, 1] = 0.5
    assert assign_speakers(stereo, phrases, max_speakers=2) == [1, 2]
    assert assign_speakers(stereo, phrases, max_speakers=1) == [1, 1]
    assert assign_speakers(stereo[:, :1], phrases, max_speakers=5) == [1, 1]
