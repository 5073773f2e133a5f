"""Plain text, SRT and WebVTT from a fast transcription result.

One cue per phrase; a phrase longer than a reader can take in (CUE_MAX_SECONDS or two lines of
LINE_CHARS) is split at word boundaries, timed by the service's word offsets when it gives
them and by share of characters when it does not. Speakers or channels label the cues.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

LINE_CHARS = 42
CUE_MAX_CHARS = 2 * LINE_CHARS
CUE_MAX_SECONDS = 7.0

CONTENT_TYPES = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


@dataclass(frozen=True)
class Cue:
    """One subtitle: times in milliseconds, an optional label (speaker or channel)."""

    start_ms: int
    end_ms: int
    text: str
    label: str | None = None


def to_text(result: dict[str, Any]) -> str:
    """The combined phrases; with channels, one block per channel under a heading."""
    combined = result.get("combinedPhrases") or []
    if any("channel" in item for item in combined):
        blocks = [
            f"[Channel {item.get('channel')}]\n{item.get('text', '').strip()}"
            for item in sorted(combined, key=lambda item: item.get("channel", 0))
        ]
        return "\n\n".join(blocks) + "\n"
    text = " ".join(item.get("text", "").strip() for item in combined).strip()
    return f"{text}\n" if text else ""


def to_srt(result: dict[str, Any]) -> str:
    """SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`."""
    blocks = []
    for number, cue in enumerate(cues(result), start=1):
        label = f"{cue.label}: " if cue.label else ""
        timing = f"{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{timing}\n{_wrap(label + cue.text)}\n")
    return "\n".join(blocks)


def to_vtt(result: dict[str, Any]) -> str:
    """WebVTT: `HH:MM:SS.mmm` cues, speakers and channels as voice spans."""
    blocks = ["WEBVTT\n"]
    for cue in cues(result):
        text = _wrap(_escape_vtt(cue.text))
        if cue.label:
            text = f"<v {_escape_vtt(cue.label)}>{text}"
        blocks.append(f"{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}\n{text}\n")
    return "\n".join(blocks)


RENDERERS = {"txt": to_text, "text": to_text, "srt": to_srt, "vtt": to_vtt}


def render(result: dict[str, Any], fmt: str) -> str:
    """Render one of txt/text/srt/vtt."""
    return RENDERERS[fmt](result)


def cues(result: dict[str, Any]) -> Iterator[Cue]:
    """Phrases in time order, long ones split, each with its label."""
    phrases = sorted(
        (p for p in result.get("phrases") or [] if (p.get("text") or "").strip()),
        key=lambda p: (p.get("offsetMilliseconds", 0), p.get("channel", 0)),
    )
    for phrase in phrases:
        yield from _split_phrase(phrase, _label(phrase))


def _label(phrase: dict[str, Any]) -> str | None:
    if phrase.get("speaker") is not None:
        return f"Speaker {phrase['speaker']}"
    if phrase.get("channel") is not None:
        return f"Channel {phrase['channel']}"
    return None


def _split_phrase(phrase: dict[str, Any], label: str | None) -> Iterator[Cue]:
    start = int(phrase.get("offsetMilliseconds", 0))
    end = start + max(int(phrase.get("durationMilliseconds", 0)), 1)
    text = " ".join(phrase["text"].split())
    words = _timed_words(phrase, start, end)
    chunk: list[tuple[str, int, int]] = []
    for word in words:
        if chunk and _too_long([*chunk, word]):
            yield _cue(chunk, label)
            chunk = []
        chunk.append(word)
    if chunk:
        cue = _cue(chunk, label)
        # A phrase that never needed splitting keeps the service's exact text and span.
        yield cue if len(chunk) < len(words) else Cue(start, end, text, label)


def _timed_words(phrase: dict[str, Any], start: int, end: int) -> list[tuple[str, int, int]]:
    """Words with times; share the phrase's span by characters when the service gave no words."""
    text_words = phrase["text"].split()
    service_words = phrase.get("words") or []
    if service_words and len(service_words) == len(text_words) and _timed(service_words):
        timed = []
        for shown, word in zip(text_words, service_words, strict=True):
            offset = int(word.get("offsetMilliseconds", start))
            timed.append((shown, offset, offset + int(word.get("durationMilliseconds", 0))))
        return timed
    total = sum(len(w) + 1 for w in text_words) or 1
    timed, cursor = [], float(start)
    for word in text_words:
        span = (end - start) * (len(word) + 1) / total
        timed.append((word, round(cursor), round(cursor + span)))
        cursor += span
    return timed


def _timed(words: list[dict[str, Any]]) -> bool:
    """False for a translation's placeholder timings (every word at 1 ms for 10 ms, as recorded)."""
    offsets = [int(w.get("offsetMilliseconds", 0)) for w in words]
    return len(words) == 1 or all(a < b for a, b in itertools.pairwise(offsets))


def _too_long(chunk: list[tuple[str, int, int]]) -> bool:
    chars = sum(len(word) for word, _, _ in chunk) + len(chunk) - 1
    return chars > CUE_MAX_CHARS or (chunk[-1][2] - chunk[0][1]) / 1000 > CUE_MAX_SECONDS


def _cue(chunk: list[tuple[str, int, int]], label: str | None) -> Cue:
    end = max(chunk[-1][2], chunk[0][1] + 1)
    return Cue(chunk[0][1], end, " ".join(word for word, _, _ in chunk), label)


def _wrap(text: str) -> str:
    lines = textwrap.wrap(text, LINE_CHARS, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) if lines else text


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _timestamp(ms: int, separator: str) -> str:
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
