"""Render a `Transcript` as the service's result JSON for the request's api-version.

pocketsphinx gives lower-case words without punctuation; the service gives display text. Each
phrase is therefore shown as a sentence: capitalised, "I" upper-case, a full stop at the end.
Word entries keep their display words without punctuation, as the service's do.
"""

from __future__ import annotations

from typing import Any

from devtools.speech_emulator.config import PREVIEW_API_VERSION
from devtools.speech_emulator.definition import TranscriptionSpec
from devtools.speech_emulator.engines import Track, Transcript
from devtools.speech_emulator.profanity import filter_word
from devtools.speech_emulator.recognition import RecognizedPhrase

__all__ = ["render_result"]


def render_result(transcript: Transcript, spec: TranscriptionSpec, api_version: str) -> dict[str, Any]:
    """The body of a 200 answer."""
    offset, duration = (
        ("offset", "duration")
        if api_version == PREVIEW_API_VERSION
        else ("offsetMilliseconds", "durationMilliseconds")
    )
    phrases: list[tuple[int, int, dict[str, Any]]] = []
    combined: list[dict[str, Any]] = []
    for track in transcript.tracks:
        texts = []
        for index, phrase in enumerate(track.phrases):
            rendered = _phrase(phrase, track, index, spec, offset, duration)
            if rendered is not None:
                texts.append(rendered["text"])
                phrases.append((phrase.offset_ms, track.channel or 0, rendered))
        entry: dict[str, Any] = {"text": " ".join(texts)}
        if track.channel is not None:
            entry = {"channel": track.channel, **entry}
        combined.append(entry)
    phrases.sort(key=lambda item: (item[0], item[1]))
    return {
        duration: transcript.duration_ms,
        "combinedPhrases": combined,
        "phrases": [p for _, _, p in phrases],
    }


def _phrase(
    phrase: RecognizedPhrase, track: Track, index: int, spec: TranscriptionSpec, offset: str, duration: str
) -> dict[str, Any] | None:
    shown = [(w, filter_word(w.text, spec.profanity)) for w in phrase.words]
    kept = [(w, text) for w, text in shown if text is not None]
    if not kept:
        return None
    display = [_display(text, first=i == 0) for i, (_, text) in enumerate(kept)]
    body: dict[str, Any] = {}
    if track.channel is not None:
        body["channel"] = track.channel
    if track.speakers is not None:
        body["speaker"] = track.speakers[index]
    body[offset] = phrase.offset_ms
    body[duration] = phrase.duration_ms
    body["text"] = " ".join(display) + "."
    body["words"] = [
        {"text": text, offset: w.offset_ms, duration: w.duration_ms}
        for (w, _), text in zip(kept, display, strict=True)
    ]
    body["locale"] = spec.locale
    body["confidence"] = 0.0 if spec.enhanced else round(phrase.confidence, 4)
    return body


def _display(word: str, *, first: bool) -> str:
    if word == "i" or word.startswith("i'"):
        return "I" + word[1:]
    return word[:1].upper() + word[1:] if first else word
