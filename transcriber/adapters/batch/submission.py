"""The app's transcription options as a batch transcription's definition (REST API 2024-11-15).

Options batch lacks (a phrase list, enhanced mode) are refused here, before any SAS is handed out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transcriber.domain.errors import UnsupportedBatchOptionError
from transcriber.domain.option_values import TASK_OFF

if TYPE_CHECKING:
    from transcriber.domain.options import TranscriptionRequestOptions

__all__ = ["CHANNELS_PROPERTY", "TIME_TO_LIVE_HOURS", "UnsupportedBatchOptionError", "batch_definition"]

# Microsoft's recommended default "when data is consumed directly"; the result is fetched within it.
# The service allows 6 h to 31 days, then deletes the transcription and its results itself.
TIME_TO_LIVE_HOURS = 48
# The channels asked for: the service's echo of `channels` cannot tell "not given" from [0, 1].
CHANNELS_PROPERTY = "transcriberChannels"
MIXED = "mixed"
_UNSUPPORTED = {
    "phrases": "a phrase list",
    "biasing_weight": "a phrase list",
    "task": "enhanced mode (LLM speech)",
    "target_language": "translation (enhanced mode)",
    "prompt": "prompts (enhanced mode)",
    "model": "MAI-Transcribe models",
    "timestamps": "MAI-Transcribe options",
    "style": "MAI-Transcribe options",
}


def batch_definition(
    audio_url: str,
    options: TranscriptionRequestOptions,
    display_name: str,
    *,
    time_to_live_hours: int = TIME_TO_LIVE_HOURS,
) -> dict[str, Any]:
    """The JSON body of `POST /speechtotext/transcriptions:submit`."""
    check_batch_options(options)
    locales = list(options.locales or ())
    properties: dict[str, Any] = {
        "wordLevelTimestampsEnabled": True,  # outputs (SRT, VTT, words) need word timings
        "displayFormWordLevelTimestampsEnabled": True,  # punctuated words, as the fast API gives
        "punctuationMode": "DictatedAndAutomatic",
        "timeToLiveHours": time_to_live_hours,
    }
    if options.profanity:
        properties["profanityFilterMode"] = options.profanity
    if options.channels:
        properties["channels"] = list(options.channels)
    if options.max_speakers:
        properties["diarization"] = {"enabled": True, "maxSpeakers": options.max_speakers}
    if len(locales) > 1:
        properties["languageIdentification"] = {"candidateLocales": locales, "mode": "Continuous"}
    return {
        "contentUrls": [audio_url],
        "locale": locales[0],
        "displayName": display_name.strip()[:256] or "transcription",
        "properties": properties,
        "customProperties": {
            CHANNELS_PROPERTY: ",".join(map(str, options.channels)) if options.channels else MIXED
        },
    }


def check_batch_options(options: TranscriptionRequestOptions) -> None:
    """Raise UnsupportedBatchOptionError for the first option batch transcription lacks."""
    for option, feature in _UNSUPPORTED.items():
        value = getattr(options, option)
        if value is None or (option == "task" and value == TASK_OFF):
            continue
        raise UnsupportedBatchOptionError(
            option,
            f"batch transcription (used for audio over fast transcription's limits) has no {feature}; "
            "leave this option out for long or large audio",
        )
    if not options.locales:
        raise UnsupportedBatchOptionError(
            "locale",
            "batch transcription needs at least one locale (it cannot identify the language unaided)",
        )


def requested_channels(transcription: dict[str, Any]) -> tuple[int, ...] | None:
    """The channels asked for at submit (None: mixed), from the transcription's customProperties.

    A transcription without our property (submitted by something else) falls back to the
    service's echo of `properties.channels`, if any.
    """
    custom = transcription.get("customProperties")
    value = custom.get(CHANNELS_PROPERTY) if isinstance(custom, dict) else None
    if isinstance(value, str):
        if value == MIXED:
            return None
        try:
            return tuple(int(part) for part in value.split(",") if part.strip())
        except ValueError:
            return None
    echoed = (transcription.get("properties") or {}).get("channels")
    if isinstance(echoed, list) and all(isinstance(c, int) and not isinstance(c, bool) for c in echoed):
        return tuple(echoed) or None
    return None
