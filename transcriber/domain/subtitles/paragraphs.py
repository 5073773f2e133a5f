"""Phrases to paragraphs for the plain-text transcript.

A new paragraph starts when the speaker (or channel) changes, after a pause of PARAGRAPH_PAUSE_MS,
and, in a long monologue, at the first sentence end after PARAGRAPH_CHARS characters (at any
phrase end after twice that, for engines that give no punctuation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transcriber.domain.subtitles.words import SpeakerNames, ends_sentence, label, spoken_phrases

PARAGRAPH_PAUSE_MS = 2000
PARAGRAPH_CHARS = 600


@dataclass
class Paragraph:
    """Consecutive phrases of one speaker; `start_ms` and `end_ms` bound them."""

    label: str | None
    start_ms: int
    end_ms: int
    phrases: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.phrases)


def paragraphs(result: dict[str, Any], speakers: SpeakerNames | None = None) -> list[Paragraph]:
    """The result's phrases grouped into paragraphs, in time order, labelled (`words.label`)."""
    grouped: list[Paragraph] = []
    for phrase in spoken_phrases(result):
        text = " ".join(phrase["text"].split())
        start = int(phrase.get("offsetMilliseconds", 0))
        end = start + int(phrase.get("durationMilliseconds", 0))
        who = label(phrase, speakers)
        current = grouped[-1] if grouped else None
        if current is None or _starts_new(current, who, start):
            grouped.append(Paragraph(who, start, end, [text]))
        else:
            current.phrases.append(text)
            current.end_ms = max(current.end_ms, end)
    return grouped


def _starts_new(current: Paragraph, who: str | None, start: int) -> bool:
    if who != current.label or start - current.end_ms >= PARAGRAPH_PAUSE_MS:
        return True
    length = len(current.text)
    return (length >= PARAGRAPH_CHARS and ends_sentence(current.phrases[-1])) or length >= 2 * PARAGRAPH_CHARS
