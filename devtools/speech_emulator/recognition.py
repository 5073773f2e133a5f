"""What an engine recognises: timed words grouped into phrases (picklable across processes)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RecognizedPhrase", "RecognizedWord", "group_phrases"]

# A pause this long between words starts a new phrase, as the service's phrases follow pauses.
PHRASE_GAP_MS = 500
# Long monologues are still cut, so subtitles made from phrases stay readable.
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


def group_phrases(words: list[RecognizedWord]) -> list[RecognizedPhrase]:
    """Split a word sequence into phrases at pauses of `PHRASE_GAP_MS` or more."""
    phrases: list[RecognizedPhrase] = []
    current: list[RecognizedWord] = []
    for word in words:
        if current and (
            word.offset_ms - current[-1].end_ms >= PHRASE_GAP_MS
            or word.end_ms - current[0].offset_ms > MAX_PHRASE_MS
        ):
            phrases.append(RecognizedPhrase(tuple(current)))
            current = []
        current.append(word)
    if current:
        phrases.append(RecognizedPhrase(tuple(current)))
    return phrases
