"""AUDIO_BUDGET_MINUTES_PER_DAY and its table: validated with the other settings, errors naming them."""

from __future__ import annotations

import pytest

from transcriber.config import InvalidSettingsError, Settings
from transcriber.config.storage_connection import StorageConnection

BASE = {
    "AZURE_SPEECH_ENDPOINT": "https://speech.example.invalid",
    "AudioStorage": "UseDevelopmentStorage=true",
}
IDENTITY = {
    "AZURE_SPEECH_ENDPOINT": "https://speech.example.invalid",
    "AudioStorage__blobServiceUri": "https://acct.blob.core.windows.net",
    "AudioStorage__queueServiceUri": "https://acct.queue.core.windows.net",
    "AudioStorage__credential": "managedidentity",
}


def test_budget_settings_default_is_off_with_the_audiobudget_table() -> None:
    budget = Settings.from_environ(BASE).budget
    assert not budget.enabled and budget.table == "audiobudget"


def test_budget_settings_minutes_become_seconds_and_the_table_is_named() -> None:
    budget = Settings.from_environ(
        {**BASE, "AUDIO_BUDGET_MINUTES_PER_DAY": "90", "AUDIO_BUDGET_TABLE": "Budget2"}
    ).budget
    assert budget.enabled and budget.seconds_per_day == 5400 and budget.table == "Budget2"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"AUDIO_BUDGET_MINUTES_PER_DAY": "-1"}, "AUDIO_BUDGET_MINUTES_PER_DAY"),
        ({"AUDIO_BUDGET_MINUTES_PER_DAY": "ten"}, "AUDIO_BUDGET_MINUTES_PER_DAY"),
        ({"AUDIO_BUDGET_MINUTES_PER_DAY": "144001"}, "AUDIO_BUDGET_MINUTES_PER_DAY"),
        ({"AUDIO_BUDGET_TABLE": "audio-budget"}, "AUDIO_BUDGET_TABLE"),
        ({"AUDIO_BUDGET_TABLE": "1budget"}, "AUDIO_BUDGET_TABLE"),
    ],
)
def test_budget_settings_invalid_value_is_named(values: dict[str, str], named: str) -> None:
    with pytest.raises(InvalidSettingsError, match=named):
        Settings.from_environ({**BASE, **values})


def test_budget_settings_with_an_identity_need_the_table_service_uri() -> None:
    with pytest.raises(InvalidSettingsError, match="AudioStorage__tableServiceUri"):
        Settings.from_environ({**IDENTITY, "AUDIO_BUDGET_MINUTES_PER_DAY": "60"})
    settings = Settings.from_environ(
        {
            **IDENTITY,
            "AUDIO_BUDGET_MINUTES_PER_DAY": "60",
            "AudioStorage__tableServiceUri": "https://acct.table.core.windows.net/",
        }
    )
    assert settings.storage.table_url == "https://acct.table.core.windows.net"
    assert Settings.from_environ(IDENTITY).storage.table_url is None  # off: no table needed


@pytest.mark.parametrize(
    ("connection_string", "table"),
    [
        ("UseDevelopmentStorage=true", "http://127.0.0.1:10002/devstoreaccount1"),
        (
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5",
            "https://acct.table.core.windows.net",
        ),
        (
            "AccountName=a;AccountKey=a2V5;BlobEndpoint=http://h:1/a;TableEndpoint=http://h:3/a/",
            "http://h:3/a",
        ),
    ],
)
def test_storage_connection_string_names_its_table_endpoint(connection_string: str, table: str) -> None:
    assert (
        StorageConnection.from_settings({"AudioStorage": connection_string}, "AudioStorage").table_url
        == table
    )


def test_storage_connection_string_without_a_table_is_fine_until_the_budget_needs_one() -> None:
    blob_only = {
        **BASE,
        "AudioStorage": "BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=x",
    }
    assert Settings.from_environ(blob_only).storage.table_url is None
    with pytest.raises(InvalidSettingsError, match="TableEndpoint"):
        Settings.from_environ({**blob_only, "AUDIO_BUDGET_MINUTES_PER_DAY": "60"})
