"""Every speaker's cues in one time order: players assume start times never decrease (WebVTT
requires it), and the two channels of a call, or two speakers, talk at the same time.

A speaker is named where the one shown before differs; a quick reply by another speaker shares
one cue, a dash opening each speaker's line (the style guides' two-speaker cue), instead of
flashing by on its own for less than CUE_MIN_MS.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from transcriber.domain.subtitles.lines import LINE_CHARS
from transcriber.domain.subtitles.segment import (
    CUE_MAX_MS,
    CUE_MIN_GAP_MS,
    CUE_MIN_MS,
    MAX_CHARS_PER_SECOND,
    Placed,
    held,
    place,
)
from transcriber.domain.subtitles.words import TimedWord


@dataclass(frozen=True)
class Cue:
    """One subtitle: times in milliseconds, the spoken text, its label, the lines as shown.

    `lines` name the speaker in the text where it changes (`Speaker 2: ...`), as SubRip must;
    `voices` are the same lines with each line's speaker beside it and never in its text, for
    WebVTT's voice spans. A cue of two speakers (a quick exchange) has no one `label`.
    """

    start_ms: int
    end_ms: int
    text: str
    label: str | None = None
    lines: tuple[str, ...] = ()
    voices: tuple[tuple[str | None, str], ...] = ()

    @property
    def shown(self) -> str:
        return "\n".join(self.lines) if self.lines else self.text


@dataclass(frozen=True)
class _Shown:
    """A placed cue with its lines (named or not) and where it ends."""

    placed: Placed
    lines: tuple[str, ...]
    end_ms: int


def cues(words: list[TimedWord]) -> Iterator[Cue]:
    """Cues for every run of words by one speaker, in start-time order across speakers and
    channels; each speaker named where the cue shown before is another's."""
    placed = sorted(place(words), key=lambda cue: cue.start_ms)  # stable: run order breaks ties
    following = _following(placed)
    named: str | None = None
    index = 0
    while index < len(placed):
        first = _show(placed[index], named, following[index])
        if index + 1 < len(placed):
            second = _show(placed[index + 1], first.placed.label, following[index + 1])
            if _pairable(first, second):
                yield _pair(first, second, following[index + 1])
                named = second.placed.label
                index += 2
                continue
        cue = first.placed
        voices = tuple((cue.label, line) for line in cue.lines(cue.label))
        yield Cue(cue.start_ms, first.end_ms, cue.text, cue.label, first.lines, voices)
        named = cue.label if cue.label is not None else named
        index += 1


def _following(placed: list[Placed]) -> list[float]:
    """For each cue, where the next cue to start after it starts (cues starting together show
    together, stacked)."""
    following: list[float] = [math.inf] * len(placed)
    for index in range(len(placed) - 2, -1, -1):
        later = placed[index + 1].start_ms
        following[index] = later if later > placed[index].start_ms else following[index + 1]
    return following


def _show(cue: Placed, named: str | None, following: float) -> _Shown:
    lines = cue.lines(named)
    return _Shown(cue, lines, held(cue.start_ms, cue.speech_end_ms, following, len(" ".join(lines))))


def _pair(first: _Shown, second: _Shown, following: float) -> Cue:
    lines = (f"- {first.lines[0]}", f"- {second.lines[0]}")
    start = first.placed.start_ms
    wanted = start + max(CUE_MIN_MS, math.ceil(len(" ".join(lines)) / MAX_CHARS_PER_SECOND * 1000))
    limit = min(start + CUE_MAX_MS, following - CUE_MIN_GAP_MS)
    end = int(max(second.end_ms, first.placed.speech_end_ms, min(wanted, limit)))
    a, b = first.placed, second.placed
    voices = ((a.label, f"- {a.text}"), (b.label, f"- {b.text}"))
    return Cue(start, end, f"{a.text} {b.text}", None, lines, voices)


def _pairable(first: _Shown, second: _Shown) -> bool:
    a, b = first.placed, second.placed
    short = min(first.end_ms - a.start_ms, second.end_ms - b.start_ms) < CUE_MIN_MS
    return (
        short
        and None not in (a.label, b.label)
        and a.label != b.label
        and len(first.lines) == len(second.lines) == 1
        and max(len(first.lines[0]), len(second.lines[0])) + 2 <= LINE_CHARS
        and b.start_ms - first.end_ms <= CUE_MIN_GAP_MS * 2
        and second.end_ms - a.start_ms <= CUE_MAX_MS
    )
