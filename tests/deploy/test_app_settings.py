"""The app settings infra/ writes: identity-based, complete, and accepted by the app's own parser."""

from __future__ import annotations

import dataclasses

import pytest

from tests.deploy.app_settings import CLIENT_ID, app_settings
from transcriber import config


@pytest.mark.parametrize("user_assigned", [False, True], ids=["system-assigned", "user-assigned"])
def test_app_settings_with_either_identity_parse_into_valid_settings(user_assigned: bool) -> None:
    settings = config.Settings.from_environ(app_settings(user_assigned=user_assigned))
    assert settings.storage.managed_identity is True
    assert settings.storage.connection_string is None
    assert settings.speech.api_key is None
    assert settings.telemetry.entra_auth is True
    assert settings.trigger_source == "EventGrid"
    assert (settings.audio_container, settings.transcripts_container) == ("audio-in", "transcripts")


def test_app_settings_with_system_identity_name_no_client_id() -> None:
    settings = app_settings(user_assigned=False)
    assert not [name for name in settings if name.endswith("__clientId") or name == config.CLIENT_ID]
    assert settings[config.APPINSIGHTS_AUTH] == "Authorization=AAD"


def test_app_settings_with_user_assigned_identity_name_its_client_id_everywhere() -> None:
    settings = app_settings(user_assigned=True)
    for name in ("AzureWebJobsStorage__clientId", "AudioStorage__clientId", config.CLIENT_ID):
        assert settings[name] == CLIENT_ID, name
    assert settings[config.APPINSIGHTS_AUTH] == f"Authorization=AAD;ClientId={CLIENT_ID}"


@pytest.mark.parametrize("user_assigned", [False, True], ids=["system-assigned", "user-assigned"])
def test_app_settings_with_either_identity_reach_storage_by_identity(user_assigned: bool) -> None:
    settings = app_settings(user_assigned=user_assigned)
    for connection in ("AzureWebJobsStorage", config.STORAGE_CONNECTION):
        assert connection not in settings, f"{connection} must not be a connection string"
        assert settings[f"{connection}__credential"] == "managedidentity"
        assert settings[f"{connection}__blobServiceUri"].startswith("https://")
        assert settings[f"{connection}__queueServiceUri"].startswith("https://")
    assert "AzureWebJobsStorage__tableServiceUri" not in settings  # the host uses no tables here


def test_app_settings_by_default_never_hold_a_secret() -> None:
    for user_assigned in (False, True):
        settings = app_settings(user_assigned=user_assigned)
        assert config.SPEECH_API_KEY not in settings
        assert not [v for v in settings.values() if "AccountKey=" in v or "SharedAccessSignature=" in v]


def test_app_settings_always_use_names_the_app_or_host_reads() -> None:
    known = {
        value
        for name, value in vars(config).items()
        if name.isupper() and isinstance(value, str) and not value.startswith(("http", "20"))
    }
    for name in app_settings(user_assigned=True):
        prefix = name.split("__", 1)[0]
        if prefix in ("AzureWebJobsStorage", config.STORAGE_CONNECTION) or name.startswith(
            "APPLICATIONINSIGHTS_"
        ):
            continue
        assert name in known, f"{name} is not a setting transcriber/config reads"


def test_app_settings_blob_attempts_always_match_host_poison_threshold(host_json: dict) -> None:
    """The last attempt the app records as final is the one after which the blob is poisoned."""
    defaults = {f.name: f.default for f in dataclasses.fields(config.Settings)}
    attempts = int(
        app_settings(user_assigned=False).get(config.BLOB_MAX_ATTEMPTS, defaults["blob_max_attempts"])
    )
    assert attempts == host_json["extensions"]["blobs"]["poisonBlobThreshold"]


def test_app_settings_blob_attempts_always_match_host_queue_dequeue_count(host_json: dict) -> None:
    """A job's last try is the one after which its message is poisoned, and the app knows it."""
    defaults = {f.name: f.default for f in dataclasses.fields(config.Settings)}
    attempts = int(
        app_settings(user_assigned=False).get(config.BLOB_MAX_ATTEMPTS, defaults["blob_max_attempts"])
    )
    assert attempts == host_json["extensions"]["queues"]["maxDequeueCount"]
    from transcriber.config.jobs import max_dequeue_count  # the app reads host.json's, not a copy

    assert max_dequeue_count({}) == host_json["extensions"]["queues"]["maxDequeueCount"]
    assert max_dequeue_count({config.QUEUE_MAX_DEQUEUE_COUNT: "3"}) == 3
