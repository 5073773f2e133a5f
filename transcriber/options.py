"""Transcription options: parsed and checked before any audio moves.

The same parser serves app settings (defaults) and a caller's query, form or JSON fields, so
both get the same rules and messages. The SDK's model is built only when a request is sent,
which keeps `azure.ai.transcription` out of import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azure.ai.transcription.models import TranscriptionOptions

PROFANITY_MODES = ("None", "Removed", "Tags", "Masked")
MAX_LOCALES = 10
MAX_PHRASES = 500
_LOCALE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}$")


class OptionError(ValueError):
    """One option is invalid; `option` names it for the caller or the setting."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option


@dataclass(frozen=True)
class TranscriptionRequestOptions:
    """What to ask the service for. None means 'not given': the default or the service's choice."""

    locales: tuple[str, ...] | None = None
    max_speakers: int | None = None
    channels: tuple[int, ...] | None = None
    profanity: str | None = None
    phrases: tuple[str, ...] | None = None

    @classmethod
    def parse(
        cls,
        *,
        locales: Iterable[str] | None = None,
        diarization: str | int | None = None,
        channels: str | Iterable[int | str] | None = None,
        profanity: str | None = None,
        phrases: str | Iterable[str] | None = None,
    ) -> TranscriptionRequestOptions:
        """Validate raw values (strings from settings, queries or forms; lists from JSON)."""
        parsed = cls(
            locales=_locales(locales),
            max_speakers=_diarization(diarization),
            channels=_channels(channels),
            profanity=_profanity(profanity),
            phrases=_phrases(phrases),
        )
        parsed.check()
        return parsed

    def check(self) -> None:
        """Combinations the service refuses, caught before sending audio."""
        if self.max_speakers and self.channels and len(self.channels) > 1:
            raise OptionError("diarization", "cannot be combined with more than one channel")

    def with_defaults(self, defaults: TranscriptionRequestOptions) -> TranscriptionRequestOptions:
        """Fill what the caller left out from the app's defaults."""
        merged = replace(
            defaults,
            **{name: value for name, value in self.__dict__.items() if value is not None},
        )
        merged.check()
        return merged

    def to_sdk(self) -> TranscriptionOptions:
        """The SDK model the service receives as `definition`."""
        from azure.ai.transcription.models import (
            PhraseListProperties,
            TranscriptionDiarizationOptions,
            TranscriptionOptions,
        )

        kwargs: dict[str, Any] = {}
        if self.locales:
            kwargs["locales"] = list(self.locales)
        if self.max_speakers:
            kwargs["diarization_options"] = TranscriptionDiarizationOptions(max_speakers=self.max_speakers)
        if self.channels:
            kwargs["active_channels"] = list(self.channels)
        if self.profanity:
            kwargs["profanity_filter_mode"] = self.profanity
        if self.phrases:
            kwargs["phrase_list"] = PhraseListProperties(phrases=list(self.phrases))
        return TranscriptionOptions(**kwargs)

    def describe(self) -> dict[str, str]:
        """Options as flat strings for records and telemetry (no phrase text: it may be private)."""
        return {
            "locales": ",".join(self.locales or ()),
            "diarization": str(self.max_speakers or "off"),
            "channels": ",".join(map(str, self.channels)) if self.channels else "all",
            "profanity": self.profanity or "default",
            "phrases": str(len(self.phrases or ())),
        }


def _split(value: str | Iterable[Any], *, split_items: bool = True) -> list[str]:
    """Comma or semicolon separated strings; list items are split too unless told not to."""
    items = [value] if isinstance(value, str) else [str(v) for v in value]
    if isinstance(value, str) or split_items:
        items = [part for item in items for part in item.replace(";", ",").split(",")]
    return [item.strip() for item in items if item.strip()]


def _locales(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    locales = _split(value)
    if not locales:
        return None
    for locale in locales:
        if not _LOCALE.match(locale):
            raise OptionError("locale", f"{locale!r} is not a locale like en-US")
    if len(locales) > MAX_LOCALES:
        raise OptionError("locale", f"at most {MAX_LOCALES} locales, got {len(locales)}")
    return tuple(dict.fromkeys(locales))


def _diarization(value: str | int | None) -> int | None:
    if value is None or (
        isinstance(value, str) and value.strip().lower() in ("", "0", "off", "false", "none")
    ):
        return None
    try:
        speakers = int(value)
    except (TypeError, ValueError):
        raise OptionError(
            "diarization", f"must be the maximum number of speakers (2-35), not {value!r}"
        ) from None
    if speakers == 0:
        return None
    if not 2 <= speakers <= 35:
        raise OptionError("diarization", f"maximum speakers must be between 2 and 35, not {speakers}")
    return speakers


def _channels(value: str | Iterable[int | str] | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    items = _split(value)
    if not items:
        return None
    try:
        channels = tuple(dict.fromkeys(int(item) for item in items))
    except ValueError:
        raise OptionError("channels", f"must be channel numbers such as 0,1, not {value!r}") from None
    if any(channel not in (0, 1) for channel in channels):
        raise OptionError("channels", "only channels 0 and 1 can be transcribed separately")
    return channels


def _profanity(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    for mode in PROFANITY_MODES:
        if value.strip().lower() == mode.lower():
            return mode
    raise OptionError("profanity", f"must be one of {', '.join(PROFANITY_MODES)}, not {value!r}")


def _phrases(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    phrases = _split(value, split_items=False)
    if not phrases:
        return None
    if len(phrases) > MAX_PHRASES:
        raise OptionError("phrases", f"at most {MAX_PHRASES} phrases, got {len(phrases)}")
    return tuple(dict.fromkeys(phrases))
