"""Plain text, SRT and WebVTT from a fast transcription result.

Cue layout and timing live in `transcriber.domain.subtitles`; this module only writes the formats.
Speakers are `Speaker N` unless a `speakers` map names them (names a person gave, stored beside
the transcript). Silence still gives valid, non-empty files: one `[no speech detected]` cue (or line), so a
player, an editor or a script never meets a 0-byte subtitle file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from transcriber.domain import subtitles
from transcriber.domain.subtitles import Cue, SpeakerNames

NO_SPEECH = "[no speech detected]"

# What a response (or a job's `?format=`) can be; `txt` is read as `text`.
RESPONSE_FORMATS = ("json", "text", "srt", "vtt")
CONTENT_TYPES = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def cues(result: dict[str, Any], speakers: SpeakerNames | None = None) -> Iterator[Cue]:
    """The result's cues, or one NO_SPEECH cue over the start of the audio when nothing was said."""
    words = subtitles.timed_words(result, speakers)
    if words:
        yield from subtitles.cues(words)
        return
    duration = int(result.get("durationMilliseconds") or 0)
    end = min(max(duration, subtitles.CUE_MIN_MS), subtitles.CUE_MAX_MS)
    yield Cue(0, end, NO_SPEECH, None, (NO_SPEECH,))


def to_text(result: dict[str, Any], speakers: SpeakerNames | None = None) -> str:
    """Paragraphs separated by a blank line, each new speaker or channel named."""
    grouped = subtitles.paragraphs(result, speakers)
    if not grouped:
        combined = " ".join((c.get("text") or "").strip() for c in result.get("combinedPhrases") or [])
        return f"{combined.strip() or NO_SPEECH}\n"
    blocks = []
    previous: str | None = None
    for paragraph in grouped:
        named = paragraph.label is not None and paragraph.label != previous
        blocks.append(f"{paragraph.label}: {paragraph.text}" if named else paragraph.text)
        previous = paragraph.label
    return "\n\n".join(blocks) + "\n"


def to_srt(
    result: dict[str, Any], laid_out: Iterable[Cue] | None = None, speakers: SpeakerNames | None = None
) -> str:
    """SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`."""
    blocks = []
    for number, cue in enumerate(cues(result, speakers) if laid_out is None else laid_out, start=1):
        timing = f"{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{timing}\n{cue.shown}\n")
    return "\n".join(blocks)


def to_vtt(
    result: dict[str, Any], laid_out: Iterable[Cue] | None = None, speakers: SpeakerNames | None = None
) -> str:
    """WebVTT: `HH:MM:SS.mmm` cues; a speaker or channel is a voice span (`<v Speaker 2>`), named
    there and not again in the text."""
    blocks = ["WEBVTT\n"]
    for cue in cues(result, speakers) if laid_out is None else laid_out:
        voices = cue.voices or tuple((cue.label, line) for line in cue.lines or (cue.text,))
        text = "\n".join(_voiced(voices))
        blocks.append(f"{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}\n{text}\n")
    return "\n".join(blocks)


def _voiced(voices: Iterable[tuple[str | None, str]]) -> Iterator[str]:
    """Each speaker's lines in one voice span (a two-speaker cue has two)."""
    for who, group in itertools.groupby(voices, key=lambda voice: voice[0]):
        text = "\n".join(_escape_vtt(line) for _, line in group)
        yield f"<v {_escape_vtt(who)}>{text}</v>" if who else text


def render(result: dict[str, Any], fmt: str, speakers: SpeakerNames | None = None) -> str:
    """Render one of txt/text/srt/vtt, speakers named by `speakers` where it names them."""
    if fmt in ("txt", "text"):
        return to_text(result, speakers)
    if fmt == "srt":
        return to_srt(result, speakers=speakers)
    if fmt == "vtt":
        return to_vtt(result, speakers=speakers)
    raise KeyError(fmt)


def render_many(result: dict[str, Any], fmts: Iterable[str]) -> dict[str, str]:
    """Each of `fmts`; SRT and VTT share one layout of the cues (the costly part)."""
    fmts = tuple(fmts)
    laid_out = list(cues(result)) if "srt" in fmts and "vtt" in fmts else None
    return {
        fmt: to_srt(result, laid_out)
        if fmt == "srt"
        else to_vtt(result, laid_out)
        if fmt == "vtt"
        else render(result, fmt)
        for fmt in fmts
    }


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _timestamp(ms: int, separator: str) -> str:
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
