"""What an engine recognises: timed words grouped into phrases (picklable across processes).

Phrases end at pauses, as the service's do: its recorded phrases are sentences, each starting
after the pause that ends the one before (640-960 ms in the recordings; a reader's pause between
sentences is often 300-600 ms). A pause of `PHRASE_PAUSE_MS` or more between two words ends a
phrase once it holds `MIN_PHRASE_WORDS` words: the service keeps a comma's pause inside its
sentence (320-400 ms in the recordings), where a pause after "And," or "ask not," would otherwise
leave one-word phrases. A run longer than `MAX_PHRASE_MS` without such a pause is split at its longest pause,
then again, until every part fits, so a monologue still gives phrases of readable length.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MAX_PHRASE_MS",
    "MIN_PHRASE_WORDS",
    "PHRASE_PAUSE_MS",
    "RecognizedPhrase",
    "RecognizedWord",
    "group_phrases",
]

PHRASE_PAUSE_MS = 250
MIN_PHRASE_WORDS = 3
MAX_PHRASE_MS = 15_000


@dataclass(frozen=True)
class RecognizedWord:
    """One word with its timing (ms from the start of the audio) and posterior probability."""

    text: str
    offset_ms: int
    duration_ms: int
    confidence: float

    @property
    def end_ms(self) -> int:
        return self.offset_ms + self.duration_ms


@dataclass(frozen=True)
class RecognizedPhrase:
    """Consecutive words spoken without a long pause."""

    words: tuple[RecognizedWord, ...]

    @property
    def offset_ms(self) -> int:
        return self.words[0].offset_ms

    @property
    def duration_ms(self) -> int:
        return self.words[-1].end_ms - self.words[0].offset_ms

    @property
    def confidence(self) -> float:
        return sum(w.confidence for w in self.words) / len(self.words)


def group_phrases(
    words: list[RecognizedWord], pauses_ms: Sequence[int] | None = None
) -> list[RecognizedPhrase]:
    """Split a word sequence into phrases at pauses of `PHRASE_PAUSE_MS` or more, each phrase but
    the last holding at least `MIN_PHRASE_WORDS` words.

    `pauses_ms[i]` is the pause between `words[i]` and `words[i + 1]` (the engine may hear more
    silence than the words' timings show); by default the gap between their timings.
    """
    if pauses_ms is None:
        pauses_ms = [max(0, b.offset_ms - a.end_ms) for a, b in itertools.pairwise(words)]
    if len(pauses_ms) != max(len(words) - 1, 0):
        raise ValueError(f"{len(words)} words need {max(len(words) - 1, 0)} pauses, not {len(pauses_ms)}")
    phrases: list[RecognizedPhrase] = []
    start = 0
    for index in range(1, len(words) + 1):
        long_enough = index - start >= MIN_PHRASE_WORDS
        if index == len(words) or (long_enough and pauses_ms[index - 1] >= PHRASE_PAUSE_MS):
            phrases.extend(_fit(words[start:index], pauses_ms[start : index - 1]))
            start = index
    return phrases


def _fit(words: list[RecognizedWord], pauses_ms: Sequence[int]) -> list[RecognizedPhrase]:
    """One phrase, or, when longer than `MAX_PHRASE_MS`, parts split at the longest pauses."""
    if len(words) < 2 or words[-1].end_ms - words[0].offset_ms <= MAX_PHRASE_MS:
        return [RecognizedPhrase(tuple(words))]
    middle = (len(words) - 1) / 2  # among equal pauses, the cut nearest the middle
    cut = max(range(len(pauses_ms)), key=lambda i: (pauses_ms[i], -abs(i - middle))) + 1
    return _fit(words[:cut], pauses_ms[: cut - 1]) + _fit(words[cut:], pauses_ms[cut:])
