"""The body of `POST /speechtotext/transcriptions:submit`, validated as the reference describes.

Sources: the `Transcription`/`TranscriptionProperties` schema of azure-rest-api-specs
`specification/cognitiveservices/data-plane/Speech/SpeechToText/stable/2024-11-15/speechtotext.json`
(required: `displayName`, `locale`, `properties`; `properties.timeToLiveHours`, 6 h to 31 days;
`diarization.maxSpeakers` 2-35; up to 1000 `contentUrls`; one of `contentUrls` /
`contentContainerUrl`), Microsoft's "Create a batch transcription" page (defaults: channels
[0, 1], `Masked`, `DictatedAndAutomatic`, word timestamps off; `languageIdentification` needs 2-10
`candidateLocales`), and a live 400 recorded in Azure-Samples/cognitive-services-speech-sdk issue
1111: `{"code": "InvalidRequest", "message": ..., "innerError": {"code": "InvalidPayload", ...}}`.
Inner codes other than InvalidPayload are the spec's `DetailedErrorCode` names chosen by the
emulator (which name the service uses for which problem is not recorded). Unknown fields are
ignored, as ASP.NET model binding does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from devtools.speech_emulator.definition import MAX_SPEAKERS, MIN_SPEAKERS, PROFANITY_MODES
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.locales import canonical_locale

__all__ = ["BATCH_API_VERSIONS", "PUNCTUATION_MODES", "BatchSpec", "parse_submit"]

BATCH_API_VERSIONS: tuple[str, ...] = ("2024-11-15", "2025-10-15")
PUNCTUATION_MODES: tuple[str, ...] = ("None", "Dictated", "Automatic", "DictatedAndAutomatic")
MAX_CONTENT_URLS = 1000
MIN_TTL_HOURS, MAX_TTL_HOURS = 6, 31 * 24
MIN_CANDIDATES, MAX_CANDIDATES = 2, 10
MAX_CUSTOM_PROPERTIES = 10


@dataclass(frozen=True)
class BatchSpec:
    """A validated submission; `document` is the body as sent (for echoing fields back)."""

    display_name: str
    locale: str
    content_urls: tuple[str, ...]
    container_url: str | None
    channels: tuple[int, ...]
    profanity: str
    punctuation: str
    word_timestamps: bool
    display_word_timestamps: bool
    ttl_hours: int
    max_speakers: int | None  # None: no diarization
    candidate_locales: tuple[str, ...]  # empty: no language identification
    destination_url: str | None
    document: dict[str, Any]

    @property
    def diarization(self) -> bool:
        return self.max_speakers is not None


def _payload(message: str, inner: str = "InvalidPayload") -> ServiceError:
    return ServiceError(400, "InvalidRequest", message, inner)


def parse_submit(raw: bytes) -> BatchSpec:
    """Validate a submit body or raise the 400 the service would answer."""
    try:
        document = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _payload(f"The request body is not valid JSON: {exc}.", "InvalidRequestBodyFormat") from exc
    if not isinstance(document, dict):
        raise _payload("A valid value is required for transcription.", "EmptyRequest")
    display_name = document.get("displayName")
    if not isinstance(display_name, str) or not display_name:
        raise _payload("A valid value is required for transcription.displayName.")
    locale = _locale(document.get("locale"), "transcription.locale")
    urls, container = _content(document)
    props = document.get("properties")
    if not isinstance(props, dict):
        raise _payload("A valid value is required for transcription.properties.")
    _entity_fields(document)
    return BatchSpec(
        display_name=display_name,
        locale=locale,
        content_urls=urls,
        container_url=container,
        channels=_channels(props.get("channels")),
        profanity=_enum(props.get("profanityFilterMode"), PROFANITY_MODES, "Masked", "profanityFilterMode"),
        punctuation=_enum(
            props.get("punctuationMode"), PUNCTUATION_MODES, "DictatedAndAutomatic", "punctuationMode"
        ),
        word_timestamps=_flag(props.get("wordLevelTimestampsEnabled"), "wordLevelTimestampsEnabled"),
        display_word_timestamps=_flag(
            props.get("displayFormWordLevelTimestampsEnabled"), "displayFormWordLevelTimestampsEnabled"
        ),
        ttl_hours=_ttl(props.get("timeToLiveHours")),
        max_speakers=_diarization(props.get("diarization")),
        candidate_locales=_language_identification(props.get("languageIdentification")),
        destination_url=_optional_url(props.get("destinationContainerUrl"), "destinationContainerUrl"),
        document=document,
    )


def _entity_fields(document: dict[str, Any]) -> None:
    """`description`, `customProperties` (at most 10, keys <= 64 and values <= 256 characters)
    and `model` (an entity reference `{"self": url}`), as the spec's schema bounds them."""
    if document.get("description") is not None and not isinstance(document["description"], str):
        raise _payload("transcription.description must be a string.")
    custom = document.get("customProperties")
    if custom is not None and not (
        isinstance(custom, dict)
        and len(custom) <= MAX_CUSTOM_PROPERTIES
        and all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 64 and len(v) <= 256
            for k, v in custom.items()
        )
    ):
        raise _payload(
            "transcription.customProperties holds at most 10 string values (keys up to 64, "
            "values up to 256 characters)."
        )
    model = document.get("model")
    if model is not None and not (isinstance(model, dict) and _absolute(model.get("self"))):
        raise _payload(
            'transcription.model must be an entity reference {"self": <model URL>}.', "InvalidModelUri"
        )


def _locale(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise _payload(f"A valid value is required for {field}.")
    locale = canonical_locale(value)
    if locale is None:
        raise _payload(f"The locale '{value}' of {field} is not supported.", "InvalidLocale")
    return locale


def _absolute(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.path)


def _content(document: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    urls, container = document.get("contentUrls"), document.get("contentContainerUrl")
    given = [name for name, value in (("urls", urls), ("container", container)) if value not in (None, [])]
    if document.get("dataset") is not None:
        given.append("dataset")
    if len(given) > 1:
        raise _payload(
            "Only one of contentUrls, contentContainerUrl or dataset can be given.",
            "OnlyOneOfUrlsOrContainerOrDataset",
        )
    if not given:
        raise _payload(
            "A valid value is required for transcription.contentUrls or transcription.contentContainerUrl."
        )
    if given == ["dataset"]:
        raise _payload("Datasets are not supported by this emulator; give contentUrls.", "InvalidDataset")
    if container is not None:
        if not _absolute(container):
            raise _payload(
                "Only absolute URIs containing a valid scheme, authority and path are allowed for "
                "transcription.contentContainerUrl.",
                "InvalidRecordingsUri",
            )
        return (), str(container)
    if not isinstance(urls, list):
        raise _payload("transcription.contentUrls must be a list of URLs.")
    if len(urls) > MAX_CONTENT_URLS:
        raise _payload(
            f"At most {MAX_CONTENT_URLS} contentUrls are allowed, not {len(urls)}.",
            "ExceededNumberOfRecordingsUris",
        )
    if not all(_absolute(url) for url in urls):
        raise _payload(
            "Only absolute URIs containing a valid scheme, authority and path are allowed for "
            "transcription.contentUrls.",
            "InvalidRecordingsUri",
        )
    return tuple(urls), None


def _channels(value: Any) -> tuple[int, ...]:
    if value is None:
        return (0, 1)
    valid = (
        isinstance(value, list)
        and 0 < len(value) <= 2
        and all(isinstance(c, int) and not isinstance(c, bool) and c in (0, 1) for c in value)
        and len(set(value)) == len(value)
    )
    if not valid:
        raise _payload(f"properties.channels must list channel 0 and/or 1, not {value!r}.", "InvalidChannels")
    return tuple(sorted(value))


def _enum(value: Any, allowed: tuple[str, ...], default: str, field: str) -> str:
    if value is None:
        return default
    if isinstance(value, str):
        for known in allowed:
            if value.lower() == known.lower():
                return known
    raise _payload(f"properties.{field} must be one of {', '.join(allowed)}, not {value!r}.")


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _payload(f"properties.{field} must be true or false.")
    return value


def _ttl(value: Any) -> int:
    if value is None:
        raise _payload("A valid value is required for transcription.properties.timeToLiveHours.")
    if not isinstance(value, int) or isinstance(value, bool) or not MIN_TTL_HOURS <= value <= MAX_TTL_HOURS:
        raise _payload(
            f"properties.timeToLiveHours must be from {MIN_TTL_HOURS} to {MAX_TTL_HOURS} hours, not {value!r}.",
            "InvalidTimeToLive",
        )
    return value


def _diarization(value: Any) -> int | None:
    """Diarization is on with `enabled: true` (maxSpeakers a hint, default 2)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _payload("properties.diarization must be an object.")
    enabled, speakers = value.get("enabled"), value.get("maxSpeakers")
    if enabled is not None and not isinstance(enabled, bool):
        raise _payload("properties.diarization.enabled must be true or false.")
    if speakers is not None and (
        not isinstance(speakers, int)
        or isinstance(speakers, bool)
        or not MIN_SPEAKERS <= speakers <= MAX_SPEAKERS
    ):
        raise _payload(
            f"properties.diarization.maxSpeakers must be from {MIN_SPEAKERS} to {MAX_SPEAKERS}, not {speakers!r}.",
            "InvalidParameterValue",
        )
    if enabled is not True:
        return None
    return speakers if speakers is not None else MIN_SPEAKERS


def _language_identification(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    candidates = value.get("candidateLocales") if isinstance(value, dict) else None
    if not isinstance(candidates, list) or not MIN_CANDIDATES <= len(candidates) <= MAX_CANDIDATES:
        raise _payload(
            f"properties.languageIdentification.candidateLocales must list {MIN_CANDIDATES} to "
            f"{MAX_CANDIDATES} locales.",
            "InvalidParameterValue",
        )
    mode = value.get("mode", "Continuous")
    if mode not in ("Continuous", "Single"):
        raise _payload("properties.languageIdentification.mode must be Continuous or Single.")
    field = "properties.languageIdentification.candidateLocales"
    return tuple(dict.fromkeys(_locale(item, field) for item in candidates))


def _optional_url(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not _absolute(value):
        raise _payload(f"properties.{field} must be an absolute http(s) URL.", "InvalidCallbackUri")
    return str(value)
