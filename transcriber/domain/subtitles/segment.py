"""Words to cues, by the timing rules of broadcast and streaming style guides (docs/API.md).

Within one speaker's run the break points are chosen together by dynamic programming.
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
class Cue:
    """One subtitle: times in milliseconds, the spoken text, its label, the lines as shown."""

    start_ms: int
    end_ms: int
    text: str
    label: str | None = None
    lines: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        return "\n".join(self.lines) if self.lines else self.text


def cues(words: list[TimedWord]) -> Iterator[Cue]:
    """Cues for every run of words by one speaker, in order; short exchanges share a cue."""
    runs = [list(run) for _, run in itertools.groupby(words, key=lambda w: w.label)]
    made: list[Cue] = []
    previous_label: str | None = None
    for index, run in enumerate(runs):
        next_start = runs[index + 1][0].start_ms if index + 1 < len(runs) else math.inf
        prefix = f"{run[0].label}: " if run[0].label and run[0].label != previous_label else ""
        made.extend(_run_cues(run, next_start, prefix))
        previous_label = run[0].label
    yield from _pair_exchanges(made)


def _pair_exchanges(made: list[Cue]) -> Iterator[Cue]:
    """A quick reply by another speaker shares one cue, a dash opening each speaker's line (the
    style guides' two-speaker cue), instead of flashing by on its own for less than CUE_MIN_MS."""
    index = 0
    while index < len(made):
        first = made[index]
        second = made[index + 1] if index + 1 < len(made) else None
        if second is None or not _pairable(first, second):
            yield first
            index += 1
            continue
        lines = (f"- {first.shown}", f"- {second.shown}")
        following = made[index + 2].start_ms if index + 2 < len(made) else math.inf
        wanted = first.start_ms + max(
            CUE_MIN_MS, math.ceil(len(" ".join(lines)) / MAX_CHARS_PER_SECOND * 1000)
        )
        limit = min(first.start_ms + CUE_MAX_MS, following - CUE_MIN_GAP_MS)
        end = int(max(second.end_ms, min(wanted, limit)))
        yield Cue(first.start_ms, end, f"{first.text} {second.text}", None, lines)
        index += 2


def _pairable(first: Cue, second: Cue) -> bool:
    short = min(first.end_ms - first.start_ms, second.end_ms - second.start_ms) < CUE_MIN_MS
    return (
        short
        and None not in (first.label, second.label)
        and first.label != second.label
        and len(first.lines) == len(second.lines) == 1
        and max(len(first.shown), len(second.shown)) + 2 <= LINE_CHARS
        and second.start_ms - first.end_ms <= CUE_MIN_GAP_MS * 2
        and second.end_ms - first.start_ms <= CUE_MAX_MS
    )


def _run_cues(run: list[TimedWord], after: float, prefix: str) -> Iterator[Cue]:
    """The cheapest segmentation of one run (best[k]: cost of cueing run[:k])."""
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
            label_prefix = prefix if start == 0 else ""
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
        label_prefix = prefix if start == 0 else ""
        tokens = _tokens(chunk)
        shown_end = _shown_end(run, start, end, after, len(label_prefix + join(tokens)))
        yield Cue(
            chunk[0].start_ms,
            shown_end,
            join(tokens),
            chunk[0].label,
            tuple(break_lines(tokens, label_prefix)),
        )


def _tokens(chunk: list[TimedWord]) -> list[Token]:
    return [(word.text, word.glued) for word in chunk]


def _next_start(run: list[TimedWord], end: int, after: float) -> float:
    return run[end].start_ms if end < len(run) else after


def _shown_end(run: list[TimedWord], start: int, end: int, after: float, chars: int) -> int:
    """Held for reading time (and at least CUE_MIN_MS) while the next cue leaves room."""
    first, last = run[start].start_ms, run[end - 1].end_ms
    following = _next_start(run, end, after)
    wanted = first + max(CUE_MIN_MS, math.ceil(chars / MAX_CHARS_PER_SECOND * 1000))
    limit = min(first + CUE_MAX_MS, following - CUE_MIN_GAP_MS)
    shown = max(last, min(wanted, limit))
    if following >= last - CUE_MIN_GAP_MS and shown > following - CUE_MIN_GAP_MS:
        shown = following - CUE_MIN_GAP_MS  # abutting speech: keep the gap (not across overlapping talk)
    return int(max(shown, first + 1))


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
