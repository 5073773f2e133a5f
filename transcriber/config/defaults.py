"""Default transcription options and output formats, checked by the same rules as a caller's."""

from __future__ import annotations

from collections.abc import Mapping

from transcriber.config.values import get, without_value
from transcriber.domain.errors import SettingError
from transcriber.domain.options import OptionError, TranscriptionRequestOptions
from transcriber.domain.setting_names import (
    BIASING_WEIGHT,
    CHANNELS,
    DIARIZATION,
    FORMATS,
    LOCALES,
    MODEL,
    OUTPUT_FORMATS,
    PHRASE_LIST,
    PROFANITY,
    PROMPT,
    STYLE,
    TARGET_LANGUAGE,
    TASK,
    TIMESTAMPS,
)


def read_defaults(env: Mapping[str, str]) -> TranscriptionRequestOptions:
    """Default transcription options; the same rules as a caller's options, errors name the setting."""
    try:
        return TranscriptionRequestOptions.parse(
            locales=[get(env, LOCALES) or "en-US"],
            diarization=get(env, DIARIZATION),
            channels=get(env, CHANNELS),
            profanity=get(env, PROFANITY),
            phrases=get(env, PHRASE_LIST),
            biasing_weight=get(env, BIASING_WEIGHT),
            task=get(env, TASK),
            target_language=get(env, TARGET_LANGUAGE),
            prompt=get(env, PROMPT),  # one prompt
            model=get(env, MODEL),
            timestamps=get(env, TIMESTAMPS),
            style=get(env, STYLE),
        )
    except OptionError as exc:
        setting = _OPTION_SETTINGS[exc.option]
        problem = without_value(str(exc).split(": ", 1)[1], env.get(setting) or "")
        raise SettingError(setting, problem) from None


_OPTION_SETTINGS = {
    "locale": LOCALES,
    "diarization": DIARIZATION,
    "channels": CHANNELS,
    "profanity": PROFANITY,
    "phrases": PHRASE_LIST,
    "biasing_weight": BIASING_WEIGHT,
    "task": TASK,
    "target_language": TARGET_LANGUAGE,
    "prompt": PROMPT,
    "model": MODEL,
    "timestamps": TIMESTAMPS,
    "style": STYLE,
}


def read_formats(env: Mapping[str, str]) -> tuple[str, ...]:
    value = get(env, OUTPUT_FORMATS)
    if value is None:
        return FORMATS
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SettingError(OUTPUT_FORMATS, f"names an unknown format; choose from {', '.join(FORMATS)}")
    return formats
