"""The `definition` part: parsed, validated as the service does, and reduced to what we act on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from devtools.speech_emulator.config import API_VERSIONS, DEFAULT_API_VERSION
from devtools.speech_emulator.enhanced import EnhancedSpec, parse_enhanced
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.locales import ENGINE_LOCALE, canonical_locale, identify_locale

__all__ = ["ENGINE_LOCALE", "PROFANITY_MODES", "TranscriptionSpec", "parse_definition"]

PROFANITY_MODES: tuple[str, ...] = ("None", "Removed", "Tags", "Masked")
MAX_PHRASES = 500
MAX_BIASING_WEIGHT = 2.0  # the SDK documents biasingWeight as 0.0-2.0
MIN_SPEAKERS, MAX_SPEAKERS = 2, 35
# Fields each api-version introduced; an older version refuses them rather than ignoring them.
_INTRODUCED = {
    "diarization": "2024-11-15",
    "audioUrl": "2025-10-15",
    "enhancedMode": "2025-10-15",
    "phraseList": "2025-10-15",
}


@dataclass(frozen=True)
class TranscriptionSpec:
    """What a request asks for, after validation.

    `phrases` and the enhanced mode's prompt are validated and kept, but pocketsphinx cannot bias
    towards a phrase list or follow a prompt. `models` is validated and ignored. Diarization is
    on only with `"enabled": true`, as the live service behaves (the recordings: `maxSpeakers`
    alone gives no `speaker` at all).
    """

    locales: tuple[str, ...] = ()  # the candidates; empty: the service identifies the language
    audio_url: str | None = None
    channels: tuple[int, ...] | None = None
    max_speakers: int | None = None  # None: no diarization
    profanity: str = "Masked"  # the service's default
    phrases: tuple[str, ...] = ()
    biasing_weight: float | None = None
    enhanced: EnhancedSpec | None = None

    @property
    def diarization(self) -> bool:
        return self.max_speakers is not None

    @property
    def locale(self) -> str:
        """The locale phrases are reported in (a translation's target, or the identified one)."""
        if self.enhanced is not None and self.enhanced.target_locale is not None:
            return self.enhanced.target_locale
        return identify_locale(self.locales)


def parse_definition(
    raw: bytes | None, api_version: str = DEFAULT_API_VERSION
) -> tuple[TranscriptionSpec, dict[str, Any]]:
    """Validate the definition JSON for a supported `api_version`; return the spec and the JSON."""
    document = _load(raw)
    _check_version(document, api_version)
    phrases, weight = _phrases(document.get("phraseList"))
    spec = TranscriptionSpec(
        locales=_locales(document.get("locales")),
        audio_url=_audio_url(document.get("audioUrl")),
        channels=_channels(document.get("channels")),
        max_speakers=_max_speakers(document.get("diarization")),
        profanity=_profanity(document.get("profanityFilterMode")),
        phrases=phrases,
        biasing_weight=weight,
        enhanced=parse_enhanced(document.get("enhancedMode")),
    )
    _models(document.get("models"))
    if (
        _asks_for_diarization(document.get("diarization"))
        and spec.channels is not None
        and len(spec.channels) > 1
    ):
        raise ServiceError.invalid_argument(
            "BadChannelConfiguration", "Diarization is not supported together with more than one channel."
        )
    return spec, document


def _load(raw: bytes | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {}
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError.invalid_request(f"The definition is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ServiceError.invalid_request("The definition must be a JSON object.")
    return document


def _check_version(document: dict[str, Any], api_version: str) -> None:
    rank = API_VERSIONS.index(api_version)
    for name, since in _INTRODUCED.items():
        if document.get(name) is not None and rank < API_VERSIONS.index(since):
            raise ServiceError.invalid_argument(
                "InvalidParameterValue", f"'{name}' needs api-version {since} or later (got {api_version})."
            )


def _locales(locales: Any) -> tuple[str, ...]:
    if locales is None or locales == []:
        return ()
    if not isinstance(locales, list) or not all(isinstance(item, str) for item in locales):
        raise ServiceError.invalid_argument("InvalidLocale", "'locales' must be a list of locale names.")
    known = [canonical_locale(item) for item in locales]
    if None in known:
        raise ServiceError.invalid_argument("InvalidLocale", "The specified locale is not supported.")
    return tuple(dict.fromkeys(item for item in known if item is not None))


def _audio_url(url: Any) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServiceError.invalid_argument("InvalidAudioUrl", "'audioUrl' must be an absolute http(s) URL.")
    return str(url)


def _channels(channels: Any) -> tuple[int, ...] | None:
    if channels is None or channels == []:
        return None
    valid = (
        isinstance(channels, list)
        and len(channels) <= 2
        and all(isinstance(c, int) and not isinstance(c, bool) and c in (0, 1) for c in channels)
        and len(set(channels)) == len(channels)
    )
    if not valid:
        raise ServiceError.invalid_argument(
            "InvalidChannelSpecification",
            f"'channels' must list up to two distinct channel indices out of 0 and 1, not {channels!r}.",
        )
    return tuple(sorted(channels))


def _asks_for_diarization(diarization: Any) -> bool:
    """Refused with two channels even without `enabled` (not recorded: the strict reading)."""
    return isinstance(diarization, dict) and diarization.get("enabled") is not False and bool(diarization)


def _max_speakers(diarization: Any) -> int | None:
    if diarization is None:
        return None
    if not isinstance(diarization, dict):
        raise ServiceError.invalid_argument("InvalidParameterValue", "'diarization' must be an object.")
    enabled = diarization.get("enabled")
    speakers = diarization.get("maxSpeakers")
    if enabled is not None and not isinstance(enabled, bool):
        raise ServiceError.invalid_argument(
            "InvalidParameterValue", "'diarization.enabled' must be a boolean."
        )
    if speakers is not None and (
        not isinstance(speakers, int)
        or isinstance(speakers, bool)
        or not MIN_SPEAKERS <= speakers <= MAX_SPEAKERS
    ):
        raise ServiceError.invalid_argument(
            "InvalidParameterValue",
            f"'diarization.maxSpeakers' must be between {MIN_SPEAKERS} and {MAX_SPEAKERS}, not {speakers!r}.",
        )
    if enabled is not True:  # maxSpeakers alone labels nothing on the live service
        return None
    return speakers if speakers is not None else MIN_SPEAKERS


def _profanity(mode: Any) -> str:
    if mode is None:
        return "Masked"
    for known in PROFANITY_MODES:
        if isinstance(mode, str) and mode.lower() == known.lower():
            return known
    raise ServiceError.invalid_argument(
        "InvalidParameterValue",
        f"'profanityFilterMode' must be one of {', '.join(PROFANITY_MODES)}, not {mode!r}.",
    )


def _phrases(phrase_list: Any) -> tuple[tuple[str, ...], float | None]:
    if phrase_list is None:
        return (), None
    phrases = phrase_list.get("phrases") if isinstance(phrase_list, dict) else None
    weight = phrase_list.get("biasingWeight") if isinstance(phrase_list, dict) else None
    if not isinstance(phrase_list, dict) or not isinstance(phrases, list | None):
        raise ServiceError.invalid_argument("InvalidParameterValue", "'phraseList.phrases' must be a list.")
    phrases = phrases or []
    if len(phrases) > MAX_PHRASES:
        raise ServiceError.invalid_argument(
            "InvalidParameterValue",
            f"'phraseList' holds {len(phrases)} phrases; at most {MAX_PHRASES} are allowed.",
        )
    if not all(isinstance(p, str) and p.strip() for p in phrases):
        raise ServiceError.invalid_argument(
            "InvalidParameterValue", "Every phrase must be a non-empty string."
        )
    if weight is not None and (
        not isinstance(weight, int | float)
        or isinstance(weight, bool)
        or not 0 <= weight <= MAX_BIASING_WEIGHT
    ):
        raise ServiceError.invalid_argument(
            "InvalidParameterValue",
            f"'phraseList.biasingWeight' must be a number from 0 to {MAX_BIASING_WEIGHT:g}.",
        )
    return tuple(phrases), None if weight is None else float(weight)


def _models(models: Any) -> None:
    if models is not None and not (
        isinstance(models, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in models.items())
    ):
        raise ServiceError.invalid_argument(
            "InvalidParameterValue", "'models' must map locale names to model URIs."
        )
