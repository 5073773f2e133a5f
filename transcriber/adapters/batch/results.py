"""A batch transcription result file, as the fast-transcription result the app writes and renders.

Ticks of 100 ns become whole milliseconds; the result file's `source` (our SAS URL) is never copied.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["LISTS", "TICKS_PER_MILLISECOND", "BatchResultError", "FastShape", "ticks_to_ms", "to_fast_shape"]

TICKS_PER_MILLISECOND = 10_000
ECHO_WINDOW_TICKS = 500 * TICKS_PER_MILLISECOND
# The result file's two lists; every other top-level field is small (durations, source, timestamp).
LISTS = ("combinedRecognizedPhrases", "recognizedPhrases")
_ISO_DURATION = re.compile(r"^PT?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


class BatchResultError(ValueError):
    """The result file lacks what a transcript needs (a phrase without timing, say)."""


def ticks_to_ms(ticks: int) -> int:
    """Ticks (100 ns) to the nearest millisecond, half up: exact for whole milliseconds.

    Starts and ends are rounded, and a duration is end minus start, so what adjoins in ticks
    still adjoins and no rounding error accumulates over a long recording.
    """
    return (ticks + TICKS_PER_MILLISECOND // 2) // TICKS_PER_MILLISECOND


class FastShape:
    """The fast-transcription result, built from a result file's parts as they come.

    A phrase is converted as soon as it is added, so only the fast shape is kept, never the
    result file's alternatives, lexical forms and double word lists (`result_stream` feeds it
    phrase by phrase from the bytes as they arrive).
    """

    def __init__(self, *, locale: str | None = None, channels: Sequence[int] | None = None) -> None:
        self._locale = locale
        self._keep = None if channels is None else frozenset(channels)
        self._spans: list[tuple[int, int, dict[str, Any]]] = []
        self._service: dict[int, str] = {}
        self._top: dict[str, Any] = {}
        self._count = 0

    def add_phrase(self, recognized: Any) -> None:
        """One of `recognizedPhrases`, in the file's order."""
        phrase = _phrase(recognized, self._count, self._locale, self._keep)
        self._count += 1
        if phrase is not None:
            self._spans.append(phrase)

    def add_combined(self, entry: Any) -> None:
        """One of `combinedRecognizedPhrases`: the service's display text of a channel."""
        if isinstance(entry, Mapping) and isinstance(entry.get("display"), str):
            self._service.setdefault(_channel(entry), entry["display"])

    def set_field(self, key: str, value: Any) -> None:
        """A top-level field other than the two lists (the duration's forms)."""
        self._top[key] = value

    def result(self) -> dict[str, Any]:
        spans = sorted(self._spans, key=lambda item: (item[0], item[1]))
        self._spans = []
        if self._keep is None:
            spans = _without_echoes(spans)
        phrases = [phrase for _, _, phrase in spans]
        for phrase in phrases:
            if self._keep is None:
                phrase.pop("channel", None)
        return {
            "durationMilliseconds": _duration_ms(self._top),
            "combinedPhrases": _combined(self._service, spans, self._keep),
            "phrases": phrases,
        }


def to_fast_shape(
    batch_result: Mapping[str, Any],
    *,
    locale: str | None = None,
    channels: Sequence[int] | None = None,
) -> dict[str, Any]:
    """`{durationMilliseconds, combinedPhrases, phrases}` as fast transcription answers it.

    `locale` labels phrases the service did not label (it does only with language
    identification); `channels` are the channels asked for, None for "mixed": batch always splits
    a stereo file, but without channels the fast API mixes them and labels none, so neither does
    this. `speaker` is kept when the service labelled one (diarization). The best alternative
    (`nBest[0]`) is used in its display form: its words carry punctuation, as the fast API's do.
    """
    if not isinstance(batch_result, Mapping):
        raise BatchResultError("the result file is not a JSON object")
    shape = FastShape(locale=locale, channels=channels)
    for key, value in batch_result.items():
        if key not in LISTS:
            shape.set_field(key, value)
    for entry in _list(batch_result, "combinedRecognizedPhrases"):
        shape.add_combined(entry)
    for recognized in _list(batch_result, "recognizedPhrases"):
        shape.add_phrase(recognized)
    return shape.result()


def _phrase(
    recognized: Any, index: int, locale: str | None, keep: frozenset[int] | None
) -> tuple[int, int, dict[str, Any]] | None:
    """(start tick, channel, fast phrase), or None for a phrase nothing was recognized in."""
    if not isinstance(recognized, Mapping):
        raise BatchResultError(f"recognizedPhrases[{index}] is not an object")
    status = recognized.get("recognitionStatus", "Success")
    alternatives = recognized.get("nBest")
    if status != "Success" or not isinstance(alternatives, list) or not alternatives:
        return None
    best = alternatives[0]
    if not isinstance(best, Mapping):
        raise BatchResultError(f"recognizedPhrases[{index}].nBest[0] is not an object")
    channel = _channel(recognized)
    if keep is not None and channel not in keep:
        return None
    start_ticks, start, duration = _span(recognized, f"recognizedPhrases[{index}]")
    phrase: dict[str, Any] = {"channel": channel}
    speaker = recognized.get("speaker", best.get("speaker"))  # v3.0 put it in nBest
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        phrase["speaker"] = speaker
    phrase["offsetMilliseconds"] = start
    phrase["durationMilliseconds"] = duration
    phrase["text"] = _text(best, "display")
    phrase["words"] = _words(best, index)
    phrase_locale = recognized.get("locale") or locale
    if isinstance(phrase_locale, str) and phrase_locale:
        phrase["locale"] = phrase_locale
    phrase["confidence"] = _confidence(best.get("confidence"))
    return start_ticks, channel, phrase


def _without_echoes(spans: list[tuple[int, int, dict[str, Any]]]) -> list[tuple[int, int, dict[str, Any]]]:
    """Mixed output of a stereo file: one phrase where both channels heard the same words.

    Batch transcribes each channel of a stereo file on its own; a file whose channels carry the
    same signal (a mono recorder writing stereo) would show every phrase twice, where the fast
    API, mixing the channels, shows it once. A phrase is dropped when another channel has the same
    text starting within ECHO_WINDOW_TICKS of it; different speech on each channel is all kept.
    """
    kept: list[tuple[int, int, dict[str, Any]]] = []
    for start, channel, phrase in spans:
        echo = any(
            other_channel != channel
            and other["text"] == phrase["text"]
            and start - other_start <= ECHO_WINDOW_TICKS
            for other_start, other_channel, other in reversed(kept[-8:])
        )
        if not echo:
            kept.append((start, channel, phrase))
    return kept


def _words(best: Mapping[str, Any], index: int) -> list[dict[str, Any]]:
    """Display words (punctuated) when the service gave them, else the lexical ones."""
    display = best.get("displayWords")
    source, key = (display, "displayText") if isinstance(display, list) else (best.get("words"), "word")
    words = []
    for position, word in enumerate(source if isinstance(source, list) else ()):
        where = f"recognizedPhrases[{index}].nBest[0].words[{position}]"
        if not isinstance(word, Mapping):
            raise BatchResultError(f"{where} is not an object")
        start_ticks, start, duration = _span(word, where)
        words.append(
            (
                start_ticks,
                {"text": _text(word, key), "offsetMilliseconds": start, "durationMilliseconds": duration},
            )
        )
    words.sort(key=lambda item: item[0])
    return [word for _, word in words]


def _combined(
    service: Mapping[int, str], spans: list[tuple[int, int, dict[str, Any]]], keep: frozenset[int] | None
) -> list[dict[str, Any]]:
    """One entry per channel asked for, or a single mixed one; the service's display text when it fits."""
    if keep is None:
        heard = {channel for _, channel, _ in spans}
        if len(heard | set(service)) <= 1 and service:
            return [{"text": next(iter(service.values()))}]
        return [{"text": _join(phrase for _, _, phrase in spans)}]
    channels = sorted(keep & ({channel for _, channel, _ in spans} | set(service)))
    combined = []
    for channel in channels:
        text = service.get(channel)
        if text is None:
            text = _join(phrase for _, heard, phrase in spans if heard == channel)
        combined.append({"channel": channel, "text": text})
    return combined


def _join(phrases: Iterable[dict[str, Any]]) -> str:
    return " ".join(phrase["text"] for phrase in phrases if phrase["text"])


def _span(item: Mapping[str, Any], where: str) -> tuple[int, int, int]:
    """(start tick, start ms, duration ms) with both ends rounded on their own.

    The 2024-11-15 result schema lets a word's duration go negative (minimum -100000 ms); such a
    word is shown as an instant, never as ending before it starts.
    """
    start = _ticks(item, "offset", where)
    end = max(start, start + _ticks(item, "duration", where, signed=True))
    start_ms = ticks_to_ms(start)
    return start, start_ms, ticks_to_ms(end) - start_ms


def _duration_ms(batch_result: Mapping[str, Any]) -> int:
    """The audio's length; older files wrote `durationTicks` (the SDK sample's transcriptSample.json)."""
    keys = ("durationInTicks", "durationTicks", "durationMilliseconds", "duration")
    if any(batch_result.get(key) is not None for key in keys):
        return ticks_to_ms(_ticks(batch_result, "duration", "the result file", also_ticks=True))
    return 0


def _ticks(
    item: Mapping[str, Any], name: str, where: str, *, signed: bool = False, also_ticks: bool = False
) -> int:
    """`<name>InTicks`, else `<name>Milliseconds`, else the ISO 8601 `<name>`, as whole ticks."""
    for key in (f"{name}InTicks", f"{name}Ticks") if also_ticks else (f"{name}InTicks",):
        if item.get(key) is not None:
            return _whole(item[key], 1, f"{where}.{key}", signed=signed)
    milliseconds = item.get(f"{name}Milliseconds")
    if milliseconds is not None:
        return _whole(milliseconds, TICKS_PER_MILLISECOND, f"{where}.{name}Milliseconds", signed=signed)
    text = item.get(name)
    match = _ISO_DURATION.match(text) if isinstance(text, str) else None
    if match is None or not any(match.groups()):
        raise BatchResultError(f"{where} has no {name} (ticks, milliseconds or ISO 8601)")
    days, hours, minutes, seconds = (Decimal(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return int((total * 10_000_000).to_integral_value(ROUND_HALF_UP))


def _whole(value: Any, scale: int, where: str, *, signed: bool = False) -> int:
    """A JSON number (non-negative unless `signed`) times `scale`, rounded half up to a whole tick."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BatchResultError(f"{where} is not a number")
    if value < 0 and not signed:
        raise BatchResultError(f"{where} is negative")
    if isinstance(value, int):
        return value * scale
    if value.is_integer():  # the service writes ticks as 7600000.0: exact, and the common case
        return int(value) * scale
    return int((Decimal(repr(value)) * scale).to_integral_value(ROUND_HALF_UP))


def _channel(item: Mapping[str, Any]) -> int:
    channel = item.get("channel", 0)
    return channel if isinstance(channel, int) and not isinstance(channel, bool) else 0


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return float(value)


def _list(item: Mapping[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BatchResultError(f"{key} is not a list")
    return value
