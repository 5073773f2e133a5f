"""Every app setting, read and validated in one place; every error names the setting at fault."""

import importlib
from typing import TYPE_CHECKING, Any

from transcriber.config.bindings import (
    audio_container,
    erasure_queue,
    jobs_queue,
    trigger_binding,
    trigger_source,
)
from transcriber.config.callers import CallerAuthSettings, caller_auth, http_auth_mode
from transcriber.domain.errors import InvalidSettingsError, SettingError
from transcriber.domain.setting_names import *  # noqa: F403 (every setting's name, as before the split)

if TYPE_CHECKING:
    from transcriber.config.batch import BatchSettings
    from transcriber.config.settings import Settings
    from transcriber.config.speech import SpeechSettings
    from transcriber.config.telemetry import PrivacySettings, TelemetrySettings

# function_app imports this package to declare its triggers (bindings, callers), and the host
# waits for that import: the whole configuration's modules load on first use instead (the
# warm-up thread's, right after indexing).
_LAZY = {
    "BatchSettings": "batch",
    "Settings": "settings",
    "SpeechSettings": "speech",
    "PrivacySettings": "telemetry",
    "TelemetrySettings": "telemetry",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BatchSettings",
    "CallerAuthSettings",
    "InvalidSettingsError",
    "PrivacySettings",
    "SettingError",
    "Settings",
    "SpeechSettings",
    "TelemetrySettings",
    "audio_container",
    "caller_auth",
    "erasure_queue",
    "http_auth_mode",
    "jobs_queue",
    "trigger_binding",
    "trigger_source",
]
