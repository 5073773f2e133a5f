"""Transcription options: parsed and checked before any audio moves.

The same parser serves app settings (defaults) and a caller's query, form or JSON fields, so
both get the same rules and messages. The SDK's model is built only when a request is sent,
which keeps `azure.ai.transcription` out of import time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.option_values import (
    MAI_MODELS,
    STYLES,
    TASK_OFF,
    TASKS,
    TIMESTAMPS,
    OptionValueError,
    parse_biasing_weight,
    parse_choice,
    parse_prompts,
    parse_target_language,
)
from transcriber.domain.redaction import redacted_cause

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
    biasing_weight: float | None = None
    task: str | None = None  # enhanced mode (LLM speech): transcribe or translate
    target_language: str | None = None
    prompt: tuple[str, ...] | None = None
    model: str | None = None  # enhanced mode with a MAI-Transcribe model
    timestamps: str | None = None
    style: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        locales: Iterable[str] | None = None,
        diarization: str | int | None = None,
        channels: str | Iterable[int | str] | None = None,
        profanity: str | None = None,
        phrases: str | Iterable[str] | None = None,
        biasing_weight: str | float | None = None,
        task: str | None = None,
        target_language: str | None = None,
        prompt: str | Iterable[str] | None = None,
        model: str | None = None,
        timestamps: str | None = None,
        style: str | None = None,
    ) -> TranscriptionRequestOptions:
        """Validate raw values (strings from settings, queries or forms; lists from JSON)."""
        parsed = cls(
            locales=_locales(locales),
            max_speakers=_diarization(diarization),
            channels=_channels(channels),
            profanity=_profanity(profanity),
            phrases=_phrases(phrases),
            biasing_weight=_value("biasing_weight", parse_biasing_weight, biasing_weight),
            task=_value("task", lambda v: parse_choice(v, (*TASKS, TASK_OFF)), task),
            target_language=_value("target_language", parse_target_language, target_language),
            prompt=_value("prompt", parse_prompts, prompt),
            model=_value("model", lambda v: parse_choice(v, MAI_MODELS), model),
            timestamps=_value("timestamps", lambda v: parse_choice(v, TIMESTAMPS), timestamps),
            style=_value("style", lambda v: parse_choice(v, STYLES), style),
        )
        parsed.check()
        return parsed

    @property
    def enhanced(self) -> bool:
        """Whether the request goes to enhanced mode (LLM speech or MAI-Transcribe)."""
        return bool((self.task and self.task != TASK_OFF) or self.model)

    def check(self) -> None:
        """Combinations the service refuses or ignores, caught before sending audio."""
        if self.max_speakers and self.channels and len(self.channels) > 1:
            raise OptionError("diarization", "cannot be combined with more than one channel")
        if self.task == "translate" and not self.target_language:
            raise OptionError("target_language", "is required when the task is translate")
        if self.target_language and self.task != "translate":
            raise OptionError("target_language", "applies only to task=translate")
        if self.prompt and not self.enhanced:
            raise OptionError("prompt", "needs enhanced mode (task=transcribe or translate, or a model)")
        for name in ("timestamps", "style"):
            if getattr(self, name) and not self.model:
                raise OptionError(name, "applies only to a MAI-Transcribe model (model=MAI-Transcribe-2)")
        if self.biasing_weight is not None and not self.phrases:
            raise OptionError("biasing_weight", "needs a phrase list (phrases)")

    def with_defaults(self, defaults: TranscriptionRequestOptions) -> TranscriptionRequestOptions:
        """Fill what the caller left out from the app's defaults."""
        merged = replace(
            defaults,
            **{name: value for name, value in self.__dict__.items() if value is not None},
        )
        if self.task is not None:  # the caller's task decides what of the default enhanced mode applies
            dropped = ["target_language"] if self.task != "translate" else []
            if self.task == TASK_OFF:
                dropped += ["prompt", "model", "timestamps", "style"]
            merged = replace(merged, **{name: None for name in dropped if getattr(self, name) is None})
        merged.check()
        return merged

    def describe(self) -> dict[str, str]:
        """Options as flat strings for records and telemetry (no phrase or prompt text: it may be private)."""
        described = {
            "locales": ",".join(self.locales or ()),
            "diarization": str(self.max_speakers or "off"),
            "channels": ",".join(map(str, self.channels)) if self.channels else "all",
            "profanity": self.profanity or "default",
            "phrases": str(len(self.phrases or ())),
            "enhancedMode": (self.task if self.task != TASK_OFF else None)
            or ("transcribe" if self.model else "off"),
        }
        if self.biasing_weight is not None:
            described["biasingWeight"] = f"{self.biasing_weight:g}"
        if self.target_language:
            described["targetLanguage"] = self.target_language
        if self.prompt:
            described["prompts"] = str(len(self.prompt))
        if self.model:
            described["model"] = self.model
            described["timestamps"] = self.timestamps or "default"
            described["style"] = self.style or "default"
        return described


def _value(option: str, parse: Callable[[Any], Any], value: Any) -> Any:
    try:
        return parse(value)
    except OptionValueError as exc:
        raise OptionError(option, str(exc)) from None


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


def effective_options(
    options: TranscriptionRequestOptions, defaults: TranscriptionRequestOptions
) -> TranscriptionRequestOptions:
    """The options a request runs with: the caller's over the app's defaults (Settings.defaults).

    The one merge for /api/transcribe, a job when it is accepted and when it runs (fast or batch),
    so a job transcribes as /api/transcribe would; a clash between them is the caller's to fix.
    """
    try:
        return options.with_defaults(defaults)
    except OptionError as exc:
        raise InvalidRequestError(f"invalid option {exc}") from redacted_cause(exc)
