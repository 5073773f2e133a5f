"""SDK models that send what `azure-ai-transcription` 1.0.0 cannot: `enabled` flags and MAI options.

Imported only when a request is built, like the SDK itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azure.ai.transcription._utils.model_base import rest_field
from azure.ai.transcription.models import (
    PhraseListProperties,
    TranscriptionDiarizationOptions,
    TranscriptionOptions,
)
from azure.ai.transcription.models._models import EnhancedModeProperties as _GeneratedEnhancedMode

from transcriber.domain.option_values import TASKS

if TYPE_CHECKING:
    from transcriber.domain.options import TranscriptionRequestOptions

__all__ = ["DiarizationOptions", "EnhancedMode", "diarization", "enhanced_mode", "transcription_options"]


class DiarizationOptions(TranscriptionDiarizationOptions):
    """`diarization` with a writable `enabled`."""

    enabled: bool | None = rest_field(visibility=["read", "create"])


class EnhancedMode(_GeneratedEnhancedMode):
    """`enhancedMode` with a writable `enabled` (plus `model`/`modelOptions` in mapping form).

    The SDK's own `models/_patch.py` adds `enabled` only in `as_dict`, which only
    `transcribe_from_url` uses; an upload would drop it.
    """

    enabled: bool | None = rest_field(visibility=["read", "create"])


def diarization(max_speakers: int) -> DiarizationOptions:
    """`{"enabled": true, "maxSpeakers": n}`."""
    return DiarizationOptions({"enabled": True, "maxSpeakers": max_speakers})


def enhanced_mode(fields: dict[str, Any]) -> EnhancedMode:
    """`{"enabled": true, **fields}` (task, targetLanguage, prompt, model, modelOptions)."""
    return EnhancedMode({"enabled": True, **fields})


def transcription_options(options: TranscriptionRequestOptions) -> TranscriptionOptions:
    """The `definition` for `options`: diarization enabled, enhanced mode and MAI options included."""
    kwargs: dict[str, Any] = {}
    if options.locales:
        kwargs["locales"] = list(options.locales)
    if options.max_speakers:
        kwargs["diarization_options"] = diarization(options.max_speakers)
    if options.channels:
        kwargs["active_channels"] = list(options.channels)
    if options.profanity:
        kwargs["profanity_filter_mode"] = options.profanity
    if options.phrases:
        kwargs["phrase_list"] = PhraseListProperties(
            phrases=list(options.phrases), biasing_weight=options.biasing_weight
        )
    if options.enhanced:
        kwargs["enhanced_mode"] = enhanced_mode(_enhanced_fields(options))
    return TranscriptionOptions(**kwargs)


def _enhanced_fields(options: TranscriptionRequestOptions) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if options.task and options.task in TASKS:
        fields["task"] = options.task
    if options.target_language:
        fields["targetLanguage"] = options.target_language
    if options.prompt:
        fields["prompt"] = list(options.prompt)
    if options.model:
        fields["model"] = options.model
        model_options = {"timestamps": options.timestamps, "transcribeStyle": options.style}
        if any(model_options.values()):
            fields["modelOptions"] = {k: v for k, v in model_options.items() if v}
    return fields
