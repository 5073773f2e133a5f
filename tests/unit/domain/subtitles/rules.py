"""The subtitle rules, checked on what pysrt and webvtt-py read back from our files."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pysrt
import webvtt

from transcriber.domain.subtitles import (
    CUE_MAX_MS,
    CUE_MIN_GAP_MS,
    CUE_MIN_MS,
    LINE_CHARS,
    MAX_CHARS_PER_SECOND,
)


@dataclass(frozen=True)
class ParsedCue:
    start_ms: int
    end_ms: int
    lines: list[str]

    @property
    def chars(self) -> int:
        return len(" ".join(self.lines))


def read_srt(text: str) -> list[ParsedCue]:
    return [ParsedCue(s.start.ordinal, s.end.ordinal, s.text.split("\n")) for s in pysrt.from_string(text)]


def read_vtt(text: str) -> list[ParsedCue]:
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    return [ParsedCue(_ms(c.start), _ms(c.end), c.text.split("\n")) for c in captions]


def _ms(stamp: str) -> int:
    hours, minutes, seconds = stamp.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def violations(parsed: list[ParsedCue], *, overlapping_talk: bool = False) -> list[str]:
    """Every rule a cue breaks although the timing left room to keep it; [] when all hold."""
    found = []
    for index, cue in enumerate(parsed):
        following = parsed[index + 1].start_ms if index + 1 < len(parsed) else None
        room_end = min(
            cue.start_ms + CUE_MAX_MS, (following - CUE_MIN_GAP_MS) if following is not None else 10**12
        )
        duration = cue.end_ms - cue.start_ms
        where = f"cue {index + 1} ({cue.start_ms}-{cue.end_ms} ms, {cue.lines!r})"
        if len(cue.lines) > 2:
            found.append(f"{where}: {len(cue.lines)} lines")
        if any(len(line) > LINE_CHARS and " " in line for line in cue.lines):
            found.append(f"{where}: a line over {LINE_CHARS} characters")
        if duration > CUE_MAX_MS:
            found.append(f"{where}: longer than {CUE_MAX_MS} ms")
        if duration < CUE_MIN_MS and cue.end_ms < room_end - 1:
            found.append(f"{where}: shorter than {CUE_MIN_MS} ms with room to hold it")
        if cue.chars / (duration / 1000) > MAX_CHARS_PER_SECOND + 0.05 and cue.end_ms < room_end - 1:
            found.append(f"{where}: over {MAX_CHARS_PER_SECOND} characters a second with room to slow down")
        if following is not None and not overlapping_talk and cue.end_ms > following:
            found.append(f"{where}: overlaps the next cue")
        if index and cue.start_ms < parsed[index - 1].start_ms:
            found.append(f"{where}: out of order")
    return found
