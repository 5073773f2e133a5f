"""Render a `Transcript` as the service's result JSON, shaped as the live service's recordings are.

pocketsphinx gives lower-case words without punctuation; the service gives display text whose
words carry punctuation (`"like?"`, `"time."`) and whose phrases are sentences. Each phrase is
shown in display form (`display`: numbers in digits, capitalised, `?` or `.` on its last word);
a display word made of several spoken words ("2026") spans their timings. Timings follow the
service's grid (40 ms; 10 ms in enhanced mode); every phrase of one response has the same
confidence (0 in enhanced mode). Profanity `Removed` keeps the word as an
empty word with its timing, so the text shows a double space, as recorded.
"""

from __future__ import annotations

import math
from typing import Any

from devtools.speech_emulator.config import PREVIEW_API_VERSION
from devtools.speech_emulator.definition import TranscriptionSpec
from devtools.speech_emulator.display import display_words
from devtools.speech_emulator.engines import Track, Transcript
from devtools.speech_emulator.profanity import filter_word
from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord

__all__ = ["render_result"]

_FILLERS = frozenset({"uh", "um", "er", "ah", "hmm", "mm"})
_FAST_GRID_MS, _ENHANCED_GRID_MS = 40, 10
# A translation's words carry no timing: the service answers with this placeholder (recorded).
_PLACEHOLDER_OFFSET_MS, _PLACEHOLDER_DURATION_MS = 1, 10


def render_result(transcript: Transcript, spec: TranscriptionSpec, api_version: str) -> dict[str, Any]:
    """The body of a 200 answer."""
    names = (
        ("offset", "duration")
        if api_version == PREVIEW_API_VERSION
        else ("offsetMilliseconds", "durationMilliseconds")
    )
    confidence = _confidence(transcript, spec)
    phrases: list[tuple[int, int, dict[str, Any]]] = []
    combined: list[dict[str, Any]] = []
    for track in transcript.tracks:
        texts = []
        for offset, speaker, words in _segments(track, spec, transcript.duration_ms):
            rendered = _phrase(track.channel, speaker, offset, words, spec, names, confidence)
            texts.append(rendered["text"])
            phrases.append((offset[0], track.channel or 0, rendered))
        entry: dict[str, Any] = {"text": " ".join(texts)}
        combined.append({"channel": track.channel, **entry} if track.channel is not None else entry)
    phrases.sort(key=lambda item: (item[0], item[1]))
    return {
        names[1]: transcript.duration_ms,
        "combinedPhrases": combined,
        "phrases": [p for _, _, p in phrases],
    }


def _segments(
    track: Track, spec: TranscriptionSpec, duration_ms: int
) -> list[tuple[tuple[int, int], int | None, list[tuple[RecognizedWord, str]]]]:
    """(offset, duration), speaker and shown words of each phrase the answer will hold."""
    enhanced = spec.enhanced
    out = []
    for index, phrase in enumerate(track.phrases):
        words = _shown_words(phrase, spec)
        if not words:
            continue
        speaker = track.speakers[index] if track.speakers is not None else None
        out.append(((phrase.offset_ms, phrase.duration_ms), speaker, words))
    merge = enhanced is not None and (enhanced.task == "translate" or enhanced.timestamps == "segment")
    if not merge or not out:
        return out
    if enhanced is not None and enhanced.task == "translate":
        # Recorded: one phrase over the whole audio (rounded up to 10 ms), speaker 1 at most.
        span = (0, math.ceil(duration_ms / _ENHANCED_GRID_MS) * _ENHANCED_GRID_MS)
        speaker = 1 if spec.diarization else None
        return [(span, speaker, [w for _, _, words in out for w in words])]
    segments: list[tuple[tuple[int, int], int | None, list[tuple[RecognizedWord, str]]]] = []
    for span, speaker, words in out:  # MAI "segment": one segment per speaker run
        if segments and segments[-1][1] == speaker:
            (start, _), _, previous = segments[-1]
            segments[-1] = ((start, span[0] + span[1] - start), speaker, previous + words)
        else:
            segments.append((span, speaker, words))
    return segments


def _shown_words(phrase: RecognizedPhrase, spec: TranscriptionSpec) -> list[tuple[RecognizedWord, str]]:
    words = list(phrase.words)
    if spec.enhanced is not None and spec.enhanced.style == "clean":
        words = [w for w in words if w.text.lower() not in _FILLERS]
    shown = display_words([filter_word(w.text, spec.profanity) for w in words])
    return [(_spanning(words[d.start : d.end]), d.text) for d in shown]


def _spanning(words: list[RecognizedWord]) -> RecognizedWord:
    """One word over several spoken ones ("two thousand twenty six" shown as "2026")."""
    if len(words) == 1:
        return words[0]
    first, last = words[0], words[-1]
    confidence = sum(w.confidence for w in words) / len(words)
    return RecognizedWord(
        " ".join(w.text for w in words), first.offset_ms, last.end_ms - first.offset_ms, confidence
    )


def _phrase(
    channel: int | None,
    speaker: int | None,
    span: tuple[int, int],
    words: list[tuple[RecognizedWord, str]],
    spec: TranscriptionSpec,
    names: tuple[str, str],
    confidence: float,
) -> dict[str, Any]:
    offset, duration = names
    grid = _ENHANCED_GRID_MS if spec.enhanced is not None else _FAST_GRID_MS
    body: dict[str, Any] = {}
    if channel is not None:
        body["channel"] = channel
    if speaker is not None:
        body["speaker"] = speaker
    start, length = _snap(span[0], span[1], grid)
    body[offset], body[duration] = start, length
    body["text"] = " ".join(text for _, text in words)
    timestamps = spec.enhanced.timestamps if spec.enhanced is not None else "word"
    if timestamps == "word":
        body["words"] = [_word(w, text, spec, names, grid) for w, text in words]
    body["locale"] = spec.locale
    body["confidence"] = confidence
    return body


def _word(
    word: RecognizedWord, text: str, spec: TranscriptionSpec, names: tuple[str, str], grid: int
) -> dict[str, Any]:
    if spec.enhanced is not None and spec.enhanced.task == "translate":
        return {"text": text, names[0]: _PLACEHOLDER_OFFSET_MS, names[1]: _PLACEHOLDER_DURATION_MS}
    start, length = _snap(word.offset_ms, word.duration_ms, grid)
    return {"text": text, names[0]: start, names[1]: length}


def _snap(offset_ms: int, duration_ms: int, grid: int) -> tuple[int, int]:
    """Both ends to the nearest grid line, so adjoining words still adjoin."""
    start = (offset_ms + grid // 2) // grid * grid  # half up, not Python's half-to-even
    end = max(start + grid, (offset_ms + duration_ms + grid // 2) // grid * grid)
    return start, end - start


def _confidence(transcript: Transcript, spec: TranscriptionSpec) -> float:
    """One value for every phrase of the response, as recorded; 0 in enhanced mode."""
    if spec.enhanced is not None:
        return 0.0
    words = [w for track in transcript.tracks for phrase in track.phrases for w in phrase.words]
    return round(sum(w.confidence for w in words) / len(words), 7) if words else 0.0
