"""A batch result file (`kind: Transcription`) and the report file, as the reference shows them.

Sources: Microsoft's "Get batch transcription results" page (api-version 2024-11-15 example:
`source`, `timestamp`, `durationInTicks`, `durationMilliseconds`, `duration`,
`combinedRecognizedPhrases` per channel with lexical/itn/maskedITN/display, `recognizedPhrases`
with recognitionStatus, channel, offset/duration as ISO 8601, ticks as numbers with a fraction,
`nBest` with confidence/lexical/itn/maskedITN/display); the JSON schema
`samples/batch/transcriptionresult_v2024-11-15.schema.json` of Azure-Samples/cognitive-services-
speech-sdk (2024-11-15 adds `offsetMilliseconds`/`durationMilliseconds` to phrases, `words` and
`displayWords`; `words` only with `wordLevelTimestampsEnabled`, `displayWords` only with
`displayFormWordLevelTimestampsEnabled`; `locale` only with language identification); the
sample `samples/batch/transcription-enabled-storage/Tests/TestFiles/transcriptSample.json` there
(`speaker` per phrase with diarization; words `{word, offset, duration, offsetInTicks,
durationInTicks, confidence}`; timings on a 10 ms grid; every phrase of the file with the same
nBest confidence, as fast transcription's recordings show too). One nBest entry is given (the service
gives alternatives too; pocketsphinx has none to offer). `source` is the content URL without
its query: whether the service keeps the SAS in it is not recorded, and a signature must not
leak into results.
"""

from __future__ import annotations

import json
from typing import Any

from text_to_num import alpha2digit

from devtools.speech_emulator.batch.spec import BatchSpec
from devtools.speech_emulator.display import DisplayWord, display_words
from devtools.speech_emulator.engines import Track
from devtools.speech_emulator.journal import redact_url
from devtools.speech_emulator.profanity import filter_word
from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord

__all__ = ["iso_duration", "render_report", "render_transcription"]

_TICKS_PER_MS = 10_000
_GRID_MS = 10


def iso_duration(ms: int) -> str:
    """Milliseconds as .NET writes a TimeSpan in ISO 8601: `PT2.58S`, `PT1M5S`, `PT2H30M0.04S`."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds != "0" or out == "PT":
        out += f"{seconds}S"
    return out


def _snap(ms: int) -> int:
    return (ms + _GRID_MS // 2) // _GRID_MS * _GRID_MS


def _timing(offset_ms: int, duration_ms: int) -> dict[str, Any]:
    start = _snap(offset_ms)
    length = max(_GRID_MS, _snap(offset_ms + duration_ms) - start)
    return {
        "offset": iso_duration(start),
        "duration": iso_duration(length),
        "offsetInTicks": float(start * _TICKS_PER_MS),
        "durationInTicks": float(length * _TICKS_PER_MS),
        "offsetMilliseconds": start,
        "durationMilliseconds": length,
    }


def _forms(words: tuple[RecognizedWord, ...], spec: BatchSpec) -> dict[str, Any]:
    """lexical (as heard), itn and maskedITN (numbers in digits), and display (`display` module)."""
    lexical = [w.text for w in words]
    masked = [filter_word(w, "Masked") if spec.profanity != "None" else w for w in lexical]
    shown = [filter_word(w, spec.profanity) for w in lexical]
    display = display_words(shown, punctuate=spec.punctuation in ("Automatic", "DictatedAndAutomatic"))
    return {
        "lexical": " ".join(lexical),
        "itn": alpha2digit(" ".join(lexical), "en"),
        "maskedITN": alpha2digit(" ".join(masked), "en"),
        "display": " ".join(w.text for w in display if w.text),
        "_display_words": display,
    }


def _span_ms(words: tuple[RecognizedWord, ...], shown: DisplayWord) -> int:
    return words[shown.end - 1].end_ms - words[shown.start].offset_ms


def _phrase(
    track: Track, index: int, phrase: RecognizedPhrase, spec: BatchSpec, locale: str, confidence: float
) -> dict[str, Any]:
    forms = _forms(phrase.words, spec)
    shown: list[DisplayWord] = forms.pop("_display_words")
    body: dict[str, Any] = {"recognitionStatus": "Success", "channel": track.channel or 0}
    if spec.diarization:
        body["speaker"] = track.speakers[index] if track.speakers else 1
    body.update(_timing(phrase.offset_ms, phrase.duration_ms))
    if spec.candidate_locales:
        body["locale"] = locale
    best: dict[str, Any] = {"confidence": confidence, **forms}
    if spec.word_timestamps:
        best["words"] = [
            {"word": w.text, **_timing(w.offset_ms, w.duration_ms), "confidence": round(w.confidence, 7)}
            for w in phrase.words
        ]
    if spec.display_word_timestamps:
        best["displayWords"] = [  # a display word over several spoken ones ("2026") spans them
            {"displayText": d.text, **_timing(phrase.words[d.start].offset_ms, _span_ms(phrase.words, d))}
            for d in shown
            if d.text
        ]
    body["nBest"] = [best]
    return body


def render_transcription(
    source_url: str, tracks: list[Track], duration_ms: int, spec: BatchSpec, locale: str, timestamp: str
) -> bytes:
    """The result file of one audio file, UTF-8 JSON."""
    phrases: list[tuple[int, int, dict[str, Any]]] = []
    combined = []
    words = [w for track in tracks for phrase in track.phrases for w in phrase.words]
    confidence = round(sum(w.confidence for w in words) / len(words), 7) if words else 0.0
    for track in tracks:
        rendered = [_phrase(track, i, p, spec, locale, confidence) for i, p in enumerate(track.phrases)]
        best = [r["nBest"][0] for r in rendered]
        combined.append(
            {"channel": track.channel or 0}
            | {
                form: " ".join(b[form] for b in best if b[form])
                for form in ("lexical", "itn", "maskedITN", "display")
            }
        )
        phrases.extend((r["offsetMilliseconds"], r["channel"], r) for r in rendered)
    phrases.sort(key=lambda item: (item[0], item[1]))
    document = {
        "source": redact_url(source_url),
        "timestamp": timestamp,
        "durationInTicks": duration_ms * _TICKS_PER_MS,
        "durationMilliseconds": duration_ms,
        "duration": iso_duration(duration_ms),
        "combinedRecognizedPhrases": combined,
        "recognizedPhrases": [p for _, _, p in phrases],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def render_report(outcomes: list[tuple[str, str | None, str | None]]) -> bytes:
    """The report: counts and one detail per source `(url, error_code, error_message)`.

    Recorded (docs example): `successfulTranscriptionsCount`, `failedTranscriptionsCount`,
    `details: [{source, status}]`. The fields of a failed detail are not in the current docs;
    the emulator writes `errorKind`/`errorMessage` as version 3 reports did (inferred).
    """
    details = []
    for url, code, message in outcomes:
        detail: dict[str, Any] = {"source": redact_url(url), "status": "Failed" if code else "Succeeded"}
        if code:
            detail |= {"errorKind": code, "errorMessage": message or code}
        details.append(detail)
    failed = sum(1 for _, code, _ in outcomes if code)
    document = {
        "successfulTranscriptionsCount": len(outcomes) - failed,
        "failedTranscriptionsCount": failed,
        "details": details,
    }
    return json.dumps(document, indent=2).encode("utf-8")
