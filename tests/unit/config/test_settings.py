"""Settings: defaults, validation, and errors that name the setting."""

from __future__ import annotations

import pytest

from transcriber.config import Settings, trigger_binding, trigger_source
from transcriber.domain.errors import SettingError

BASE = {
    "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
    "AudioStorage": "UseDevelopmentStorage=true",
}


def settings(**extra: str) -> Settings:
    return Settings.from_environ({**BASE, **extra})


def test_settings_minimal_environment_uses_documented_defaults() -> None:
    s = settings()
    assert s.audio_container == "audio-in"
    assert s.transcripts_container == "transcripts"
    assert s.trigger_source == "EventGrid"
    assert s.output_formats == ("txt", "srt", "vtt")
    assert s.defaults.locales == ("en-US",)
    assert s.speech.api_version == "2025-10-15"
    assert s.speech.api_key is None
    assert s.sas_lifetime_minutes == 15
    assert s.telemetry.connection_string is None


def test_settings_full_environment_reads_every_setting() -> None:
    s = settings(
        AUDIO_CONTAINER="calls",
        TRANSCRIPTS_CONTAINER="calls-text",
        BLOB_TRIGGER_SOURCE="logsandcontainerscan",
        AZURE_SPEECH_API_KEY="k",
        TRANSCRIPTION_LOCALES="en-US,de-DE",
        TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS="3",
        TRANSCRIPTION_PROFANITY_MODE="tags",
        TRANSCRIPTION_PHRASE_LIST="Contoso;Azure",
        OUTPUT_FORMATS="vtt, txt",
        MAX_AUDIO_BYTES="1000",
        AUDIO_URL_THRESHOLD_BYTES="0",
        AUDIO_SAS_LIFETIME_MINUTES="5",
        BLOB_MAX_ATTEMPTS="3",
        TELEMETRY_BACKEND="OpenTelemetry",
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING="Authorization=AAD;ClientId=abc",
    )
    assert (s.audio_container, s.transcripts_container, s.trigger_source) == (
        "calls",
        "calls-text",
        "LogsAndContainerScan",
    )
    assert s.defaults.locales == ("en-US", "de-DE") and s.defaults.max_speakers == 3
    assert s.defaults.profanity == "Tags" and s.defaults.phrases == ("Contoso", "Azure")
    assert s.output_formats == ("vtt", "txt")
    assert (s.max_audio_bytes, s.url_threshold_bytes, s.sas_lifetime_minutes, s.blob_max_attempts) == (
        1000,
        0,
        5,
        3,
    )
    assert (
        s.telemetry.backend == "opentelemetry" and s.telemetry.entra_auth and s.telemetry.client_id == "abc"
    )


@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        ({"AZURE_SPEECH_ENDPOINT": ""}, "AZURE_SPEECH_ENDPOINT"),
        ({"AZURE_SPEECH_ENDPOINT": "contoso"}, "AZURE_SPEECH_ENDPOINT"),
        (
            {"AZURE_SPEECH_ENDPOINT": "https://x.cognitiveservices.azure.com/speechtotext"},
            "AZURE_SPEECH_ENDPOINT",
        ),
        ({"AZURE_SPEECH_API_VERSION": "2020-01-01"}, "AZURE_SPEECH_API_VERSION"),
        ({"AUDIO_CONTAINER": "Bad_Name"}, "AUDIO_CONTAINER"),
        ({"BLOB_TRIGGER_SOURCE": "Polling"}, "BLOB_TRIGGER_SOURCE"),
        ({"TRANSCRIPTION_LOCALES": "english!"}, "TRANSCRIPTION_LOCALES"),
        ({"TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS": "99"}, "TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS"),
        ({"TRANSCRIPTION_CHANNELS": "0,2"}, "TRANSCRIPTION_CHANNELS"),
        ({"TRANSCRIPTION_PROFANITY_MODE": "loud"}, "TRANSCRIPTION_PROFANITY_MODE"),
        ({"OUTPUT_FORMATS": "txt,docx"}, "OUTPUT_FORMATS"),
        ({"MAX_AUDIO_BYTES": "lots"}, "MAX_AUDIO_BYTES"),
        ({"AUDIO_SAS_LIFETIME_MINUTES": "0"}, "AUDIO_SAS_LIFETIME_MINUTES"),
        ({"TELEMETRY_BACKEND": "statsd"}, "TELEMETRY_BACKEND"),
        (
            {"APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Authorization=Key"},
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        ),
        ({"AudioStorage": ""}, "AudioStorage"),
    ],
)
def test_settings_invalid_value_raises_error_naming_setting(extra: dict[str, str], setting: str) -> None:
    with pytest.raises(SettingError) as caught:
        settings(**extra)
    assert caught.value.setting == setting
    assert setting in str(caught.value)


def test_settings_diarization_with_two_channels_names_diarization_setting() -> None:
    with pytest.raises(SettingError, match="TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS"):
        settings(TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS="2", TRANSCRIPTION_CHANNELS="0,1")


@pytest.mark.parametrize(
    "endpoint",
    ["https://westeurope.api.cognitive.microsoft.com", "https://eastus.stt.speech.microsoft.com"],
)
def test_settings_regional_endpoint_without_key_refused_with_fix(endpoint: str) -> None:
    with pytest.raises(SettingError) as caught:
        settings(AZURE_SPEECH_ENDPOINT=endpoint)
    assert caught.value.setting == "AZURE_SPEECH_ENDPOINT"
    assert (
        "custom-subdomain" in caught.value.message and "cognitiveservices.azure.com" in caught.value.message
    )


def test_settings_regional_endpoint_with_key_accepted() -> None:
    s = settings(
        AZURE_SPEECH_ENDPOINT="https://westeurope.api.cognitive.microsoft.com", AZURE_SPEECH_API_KEY="k"
    )
    assert s.speech.host == "westeurope.api.cognitive.microsoft.com"


def test_trigger_source_unset_defaults_to_event_grid() -> None:
    assert trigger_source({}) == "EventGrid"


def test_trigger_binding_invalid_values_fall_back_instead_of_raising() -> None:
    assert trigger_binding({"BLOB_TRIGGER_SOURCE": "Polling", "AUDIO_CONTAINER": "Bad_Name"}) == (
        "audio-in",
        "EventGrid",
    )
    assert trigger_binding({"BLOB_TRIGGER_SOURCE": "logsandcontainerscan"}) == (
        "audio-in",
        "LogsAndContainerScan",
    )


def test_settings_audio_limits_default_to_the_services_and_are_settings() -> None:
    defaults = settings()
    assert (defaults.max_audio_bytes, defaults.max_audio_seconds) == (300 * 1024 * 1024, 7200)
    custom = settings(MAX_AUDIO_BYTES="5000", MAX_AUDIO_SECONDS="60")
    assert (custom.max_audio_bytes, custom.max_audio_seconds) == (5000, 60)
    with pytest.raises(SettingError, match="MAX_AUDIO_SECONDS"):
        settings(MAX_AUDIO_SECONDS="0")
