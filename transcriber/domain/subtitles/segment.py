"""Words to cues, by the timing rules of broadcast and streaming style guides (docs/API.md).

Within one speaker's run the break points are chosen together by dynamic programming; `turns`
puts every speaker's cues in time order and names the speakers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

from transcriber.domain.subtitles.lines import LINE_CHARS, MAX_LINES, WEAK_ENDINGS, Token, break_lines, join
from transcriber.domain.subtitles.words import TimedWord

CUE_MIN_MS = 1000
CUE_MAX_MS = 7000
CUE_MIN_GAP_MS = 80  # two frames at 25 fps between consecutive cues
MAX_CHARS_PER_SECOND = 20.0
PAUSE_MAX_MS = 2500  # a longer silence inside one cue would show words long before they are said


@dataclass(frozen=True)
class Placed:
    """A cue cut from one speaker's run: its first word's start, its last word's end, its words;
    its lines and how long it is held are settled once every speaker's cues are in time order."""

    start_ms: int
    speech_end_ms: int
    label: str | None
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return join(list(self.tokens))

    def lines(self, named: str | None) -> tuple[str, ...]:
        """The lines, the label in front unless `named` (the speaker last shown) is this one."""
        prefix = f"{self.label}: " if self.label is not None and self.label != named else ""
        return tuple(break_lines(list(self.tokens), prefix))


def place(words: list[TimedWord]) -> list[Placed]:
    """Every run of words by one speaker cut into cues, in run order."""
    runs = [list(run) for _, run in itertools.groupby(words, key=lambda w: w.label)]
    overlapped = _overlapped([(run[0].start_ms, max(w.end_ms for w in run)) for run in runs])
    placed: list[Placed] = []
    for index, run in enumerate(runs):
        next_start = runs[index + 1][0].start_ms if index + 1 < len(runs) else math.inf
        prefix = f"{run[0].label}: " if run[0].label else ""
        # A run that overlaps another's may have any of its cues follow another speaker's in
        # time order, so each of its cues keeps room for the name.
        placed.extend(_run_cues(run, next_start, prefix, every_cue=overlapped[index]))
    return placed


def held(start: int, speech_end: int, following: float, chars: int) -> int:
    """Where a cue of `chars` characters ends: held for reading time (and at least CUE_MIN_MS)
    while the next cue, starting at `following`, leaves room."""
    wanted = start + max(CUE_MIN_MS, math.ceil(chars / MAX_CHARS_PER_SECOND * 1000))
    limit = min(start + CUE_MAX_MS, following - CUE_MIN_GAP_MS)
    shown = max(speech_end, min(wanted, limit))
    if following >= speech_end - CUE_MIN_GAP_MS and shown > following - CUE_MIN_GAP_MS:
        shown = following - CUE_MIN_GAP_MS  # abutting speech: keep the gap (not across overlapping talk)
    return int(max(shown, start + 1))


def _overlapped(spans: list[tuple[int, int]]) -> list[bool]:
    """Whether each (start, end) span meets another: one before it ends later than it starts, or
    one after it starts before it ends."""
    ends_before = list(itertools.accumulate((end for _, end in spans), max, initial=-math.inf))
    starts_after = list(itertools.accumulate((start for start, _ in reversed(spans)), min, initial=math.inf))
    starts_after.reverse()
    return [
        ends_before[index] >= start or starts_after[index + 1] <= end
        for index, (start, end) in enumerate(spans)
    ]


def _run_cues(
    run: list[TimedWord], after: float, prefix: str, *, every_cue: bool = False
) -> Iterator[Placed]:
    """The cheapest segmentation of one run (best[k]: cost of cueing run[:k]); the first cue,
    or `every_cue`, keeps room for `prefix`."""
    count = len(run)
    best: list[float] = [0.0] + [math.inf] * count
    cut: list[int] = [0] * (count + 1)
    # Prefix sums, so a candidate cue's length is counted, not joined: the words' characters,
    # and the spaces join() puts before each unglued word that does not open the cue.
    letters, spaces = [0], [0]
    for word in run:
        letters.append(letters[-1] + len(word.text))
        spaces.append(spaces[-1] + (0 if word.glued else 1))
    for end in range(1, count + 1):
        pause = 0  # only ever compared with thresholds above 0
        for start in range(end - 1, -1, -1):
            label_prefix = prefix if start == 0 or every_cue else ""
            chars = len(label_prefix) + letters[end] - letters[start] + spaces[end] - spaces[start + 1]
            if start < end - 1:
                pause = max(pause, run[start + 1].start_ms - run[start].end_ms)
            cost = _cost(run, start, end, after, label_prefix, chars, pause)
            if cost is None:
                break
            if best[start] + cost < best[end]:
                best[end], cut[end] = best[start] + cost, start
    bounds = []
    end = count
    while end > 0:
        bounds.append((cut[end], end))
        end = cut[end]
    for start, end in reversed(bounds):
        chunk = run[start:end]
        yield Placed(chunk[0].start_ms, chunk[-1].end_ms, chunk[0].label, tuple(_tokens(chunk)))


def _tokens(chunk: list[TimedWord]) -> list[Token]:
    return [(word.text, word.glued) for word in chunk]


def _next_start(run: list[TimedWord], end: int, after: float) -> float:
    return run[end].start_ms if end < len(run) else after


def _shown_end(run: list[TimedWord], start: int, end: int, after: float, chars: int) -> int:
    """Where the cue of run[start:end] ends, as far as its own run tells (`held`)."""
    return held(run[start].start_ms, run[end - 1].end_ms, _next_start(run, end, after), chars)


def _cost(
    run: list[TimedWord], start: int, end: int, after: float, prefix: str, chars: int, pause: int
) -> float | None:
    """The cost of one cue of run[start:end] (`chars` long with `prefix`, `pause` its longest
    silence between words); None when it and every longer one are impossible."""
    if end - start > 1:
        if chars > MAX_LINES * LINE_CHARS + 1 or run[end - 1].end_ms - run[start].start_ms > CUE_MAX_MS:
            return None
        if chars > LINE_CHARS:  # one line fits as it is; only a longer text needs breaking
            lines = break_lines(_tokens(run[start:end]), prefix)
            if len(lines) > MAX_LINES or max(map(len, lines)) > LINE_CHARS:
                return None
        if pause > PAUSE_MAX_MS:
            return None
    else:
        pause = 0
    duration = _shown_end(run, start, end, after, chars) - run[start].start_ms
    cost = 2.0  # per cue: fewer, fuller cues read better than many flashes
    if duration < CUE_MIN_MS:
        cost += 4 + (CUE_MIN_MS - duration) / 100
    rate = chars / max(duration / 1000, 0.001)
    if rate > MAX_CHARS_PER_SECOND:
        cost += 3 + (rate - MAX_CHARS_PER_SECOND)
    if pause > 700:
        cost += (pause - 700) / 150
    if end < len(run):
        cost += _break_cost(run[end - 1])
    return cost


def _break_cost(word: TimedWord) -> float:
    """How badly a cue ends after this word, when more of the same speaker follows."""
    if word.ends_sentence:
        return 0.0
    if word.ends_clause:
        return 1.5
    if word.ends_phrase:
        return 2.0
    return 7.0 if word.text.lower() in WEAK_ENDINGS else 5.0
