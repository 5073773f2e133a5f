"""SDK models that send what `azure-ai-transcription` 1.0.0 cannot: `enabled` flags and MAI options.

The live service labels speakers only for `"diarization": {"enabled": true, ...}` (the SDKs'
recordings; Azure/azure-sdk-for-python issue 44436), but 1.0.0 marks `enabled` read-only, and its
multipart serializer drops read-only fields, mapping form or not. These subclasses declare the
field writable, the pattern the SDK's own `models/_patch.py` uses for `EnhancedModeProperties`.
`enhancedMode.model` and `modelOptions` (MAI-Transcribe) have no field in 1.0.0 and go through the
model's mapping form. Imported only when a request is built, like the SDK itself.
"""

from __future__ import annotations

from typing import Any

from azure.ai.transcription._utils.model_base import rest_field
from azure.ai.transcription.models import TranscriptionDiarizationOptions
from azure.ai.transcription.models._models import EnhancedModeProperties as _GeneratedEnhancedMode

__all__ = ["DiarizationOptions", "EnhancedMode", "diarization", "enhanced_mode"]


class DiarizationOptions(TranscriptionDiarizationOptions):
    """`diarization` with a writable `enabled`."""

    enabled: bool | None = rest_field(visibility=["read", "create"])


class EnhancedMode(_GeneratedEnhancedMode):
    """`enhancedMode` with a writable `enabled` (plus `model`/`modelOptions` in mapping form)."""

    enabled: bool | None = rest_field(visibility=["read", "create"])


def diarization(max_speakers: int) -> DiarizationOptions:
    """`{"enabled": true, "maxSpeakers": n}`."""
    return DiarizationOptions({"enabled": True, "maxSpeakers": max_speakers})


def enhanced_mode(fields: dict[str, Any]) -> EnhancedMode:
    """`{"enabled": true, **fields}` (task, targetLanguage, prompt, model, modelOptions)."""
    return EnhancedMode({"enabled": True, **fields})
