"""The words of a fast transcription result, each with its times and who said it.

The shown text comes from the phrase (the service's punctuation and casing); times come from the
service's words when they line up with it, else the phrase's span is shared by characters.
Profanity `Removed` leaves empty words with timings: those are dropped before lining up.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from transcriber.domain.subtitles.lines import LINE_CHARS

# Sentence and clause ends, Latin and CJK; closing quotes and brackets may follow a sentence end.
SENTENCE_ENDS = (".", "?", "!", "\u2026", "\u3002", "\uff1f", "\uff01")
CLAUSE_ENDS = (",", ";", ":", "\u2014", "\u2013", "\u3001", "\uff0c")
CLOSERS = "\"')]\u00bb\u201d\u2019"


def ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSERS).endswith(SENTENCE_ENDS)


@dataclass(frozen=True)
class TimedWord:
    """One shown word: times in milliseconds, its speaker or channel label, its phrase."""

    text: str
    start_ms: int
    end_ms: int
    label: str | None
    phrase: int
    ends_phrase: bool
    glued: bool = False  # no space before it: a word of a language written without spaces

    @property
    def ends_sentence(self) -> bool:
        return ends_sentence(self.text)

    @property
    def ends_clause(self) -> bool:
        return self.text.endswith(CLAUSE_ENDS)


SpeakerNames = Mapping[int, str]  # speaker number -> the name shown instead of `Speaker N`


def label(phrase: dict[str, Any], speakers: SpeakerNames | None = None) -> str | None:
    """`Speaker N` (or the name `speakers` gives N) with diarization, `Channel N` with channels,
    else no label."""
    if phrase.get("speaker") is not None:
        number = phrase["speaker"]
        named = speakers.get(number) if speakers and isinstance(number, int) else None
        return named or f"Speaker {number}"
    if phrase.get("channel") is not None:
        return f"Channel {phrase['channel']}"
    return None


def spoken_phrases(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Phrases with text, in time order (channel breaks ties)."""
    return sorted(
        (p for p in result.get("phrases") or [] if (p.get("text") or "").strip()),
        key=lambda p: (int(p.get("offsetMilliseconds", 0)), p.get("channel") or 0),
    )


def has_speech(result: dict[str, Any]) -> bool:
    """Whether the service heard any words at all."""
    return bool(spoken_phrases(result)) or any(
        (item.get("text") or "").strip() for item in result.get("combinedPhrases") or []
    )


def timed_words(result: dict[str, Any], speakers: SpeakerNames | None = None) -> list[TimedWord]:
    """Every shown word of every phrase, phrases in time order, labelled (`label`)."""
    words: list[TimedWord] = []
    for index, phrase in enumerate(spoken_phrases(result)):
        timed = _phrase_words(phrase)
        who = label(phrase, speakers)
        for position, (text, start, end, glued) in enumerate(timed):
            words.append(TimedWord(text, start, end, who, index, position == len(timed) - 1, glued))
    return words


def _phrase_words(phrase: dict[str, Any]) -> list[tuple[str, int, int, bool]]:
    """(text, start, end, glued) per shown word: the service's timings when they line up."""
    start = int(phrase.get("offsetMilliseconds", 0))
    end = start + max(int(phrase.get("durationMilliseconds", 0)), 1)
    shown: list[tuple[str, bool]] = [(word, False) for word in phrase["text"].split()]
    service = [w for w in phrase.get("words") or [] if (w.get("text") or "").strip()]
    if len(shown) == 1 and len(service) > 1 and "".join(w["text"].strip() for w in service) == shown[0][0]:
        shown = [(w["text"].strip(), index > 0) for index, w in enumerate(service)]  # e.g. Japanese
    if service and len(service) == len(shown) and _really_timed(service):
        timed = []
        for (text, glued), word in zip(shown, service, strict=True):
            offset = int(word.get("offsetMilliseconds", start))
            finish = max(offset + int(word.get("durationMilliseconds", 0)), offset + 1)
            timed.append((text, offset, finish, glued))
        return timed
    shown = [piece for text, glued in shown for piece in _pieces(text, glued)]
    total = sum(len(text) + 1 for text, _ in shown) or 1
    timed, cursor = [], float(start)
    for text, glued in shown:
        span = (end - start) * (len(text) + 1) / total
        timed.append((text, round(cursor), max(round(cursor + span), round(cursor) + 1), glued))
        cursor += span
    return timed


def _pieces(text: str, glued: bool) -> list[tuple[str, bool]]:
    """A run of text longer than a line with no spaces (no word timings to split it) in glued pieces."""
    if len(text) <= LINE_CHARS:
        return [(text, glued)]
    size = LINE_CHARS // 2
    return [(text[i : i + size], glued or i > 0) for i in range(0, len(text), size)]


def _really_timed(words: list[dict[str, Any]]) -> bool:
    """False for a translation's placeholder timings (every word at 1 ms for 10 ms, as recorded)."""
    offsets = [int(w.get("offsetMilliseconds", 0)) for w in words]
    return len(words) == 1 or all(a < b for a, b in itertools.pairwise(offsets))
