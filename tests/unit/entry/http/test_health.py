"""/api/health and settings errors: every invalid setting listed, no setting's value ever shown."""

from __future__ import annotations

import json

from transcriber.config import InvalidSettingsError, Settings
from transcriber.entry.http.health import health, health_deep

KEY = "Zm9vYmFyYmF6cXV4c2VjcmV0a2V5LXRoYXQtbXVzdC1uZXZlci1sZWFr"
PASTED = f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={KEY};EndpointSuffix=core.windows.net"
BAD = {
    "AZURE_SPEECH_ENDPOINT": "ftp://speech.example/secret-path",
    "AudioStorage__blobServiceUri": PASTED,
    "AUDIO_CONTAINER": "Bad_Container_Secret",
    "OUTPUT_FORMATS": "vtt,docx-secret",
    "MAX_AUDIO_BYTES": "lots-secret",
    "TRANSCRIPTION_LOCALES": "secret!locale",
    "BLOB_TRIGGER_SOURCE": "polling-secret",
    "CREATE_CONTAINERS": "maybe-secret",
}


async def test_health_deep_lists_every_invalid_setting_and_shows_no_value() -> None:
    assert (
        health("https://app/api/health", BAD).body == '{"status": "misconfigured"}'
    )  # anonymous: status only
    reply = await health_deep(BAD)
    assert reply.status == 503
    body = json.loads(reply.body)
    listed = {problem["setting"] for problem in body["invalidSettings"]}
    assert listed == {
        "AZURE_SPEECH_ENDPOINT",
        "AudioStorage__blobServiceUri",
        "AUDIO_CONTAINER",
        "OUTPUT_FORMATS",
        "MAX_AUDIO_BYTES",
        "TRANSCRIPTION_LOCALES",
        "BLOB_TRIGGER_SOURCE",
        "CREATE_CONTAINERS",
    }
    assert KEY not in reply.body and "secret" not in reply.body.lower() and "AccountKey" not in reply.body
    assert all(problem["problem"] for problem in body["invalidSettings"])


def test_settings_error_lists_every_problem_in_its_message() -> None:
    try:
        Settings.from_environ(BAD)
    except InvalidSettingsError as exc:
        assert len(exc.problems) == len(BAD) and KEY not in exc.message and "secret" not in exc.message
    else:
        raise AssertionError("invalid settings were accepted")


def test_settings_failures_container_defaults_and_must_differ() -> None:
    base = {
        "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
        "AudioStorage": "UseDevelopmentStorage=true",
    }
    settings = Settings.from_environ(base)
    assert settings.failures_container == "transcription-failures" and settings.create_containers is True
    assert (
        Settings.from_environ(
            {**base, "AudioStorage": "", "AudioStorage__blobServiceUri": "https://a.blob.core.windows.net"}
        ).create_containers
        is False
    )
    try:
        Settings.from_environ({**base, "FAILURES_CONTAINER": "transcripts"})
    except InvalidSettingsError as exc:
        assert exc.setting == "FAILURES_CONTAINER"
    else:
        raise AssertionError("a shared container was accepted")
