"""The AudioStorage connection parser: both forms the Functions host reads."""

from __future__ import annotations

import pytest

from transcriber.config.storage_connection import StorageConnection
from transcriber.domain.errors import SettingError


def parse(env: dict[str, str]) -> StorageConnection:
    return StorageConnection.from_settings(env, "AudioStorage")


def test_connection_development_storage_points_at_azurite_defaults() -> None:
    conn = parse({"AudioStorage": "UseDevelopmentStorage=true"})
    assert conn.blob_url == "http://127.0.0.1:10000/devstoreaccount1"
    assert not conn.uses_token


def test_connection_full_string_uses_blob_endpoint_and_hides_key() -> None:
    conn = parse(
        {
            "AudioStorage": "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:1234/dev;"
        }
    )
    assert conn.blob_url == "http://127.0.0.1:1234/dev"
    assert "c2VjcmV0" not in conn.describe()


def test_connection_account_name_builds_public_endpoint() -> None:
    conn = parse(
        {
            "AudioStorage": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=x;EndpointSuffix=core.windows.net"
        }
    )
    assert conn.blob_url == "https://acct.blob.core.windows.net"


def test_connection_identity_system_assigned() -> None:
    conn = parse(
        {
            "AudioStorage__blobServiceUri": "https://acct.blob.core.windows.net/",
            "AudioStorage__queueServiceUri": "https://acct.queue.core.windows.net",
            "AudioStorage__credential": "managedidentity",
        }
    )
    assert conn.blob_url == "https://acct.blob.core.windows.net"
    assert conn.queue_url == "https://acct.queue.core.windows.net"
    assert conn.uses_token and conn.managed_identity and conn.client_id is None


def test_connection_identity_user_assigned_keeps_client_id() -> None:
    conn = parse(
        {
            "AudioStorage__blobServiceUri": "https://acct.blob.core.windows.net",
            "AudioStorage__credential": "managedidentity",
            "AudioStorage__clientId": "1111",
        }
    )
    assert conn.client_id == "1111"
    assert "user-assigned" in conn.describe()


def test_connection_string_wins_over_identity_settings() -> None:
    conn = parse(
        {
            "AudioStorage": "UseDevelopmentStorage=true",
            "AudioStorage__blobServiceUri": "https://a.blob.core.windows.net",
        }
    )
    assert conn.connection_string is not None


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "AudioStorage"),
        ({"AudioStorage": "not a connection string"}, "AudioStorage"),
        ({"AudioStorage": "DefaultEndpointsProtocol=https;AccountKey=x"}, "AudioStorage"),
        ({"AudioStorage__blobServiceUri": "acct.blob.core.windows.net"}, "AudioStorage__blobServiceUri"),
        (
            {"AudioStorage__blobServiceUri": "https://a.blob.core.windows.net?sv=1&sig=x"},
            "AudioStorage__blobServiceUri",
        ),
        (
            {
                "AudioStorage__blobServiceUri": "https://a.blob.core.windows.net",
                "AudioStorage__queueServiceUri": "queue",
            },
            "AudioStorage__queueServiceUri",
        ),
        (
            {
                "AudioStorage__blobServiceUri": "https://a.blob.core.windows.net",
                "AudioStorage__credential": "password",
            },
            "AudioStorage__credential",
        ),
        (
            {
                "AudioStorage__blobServiceUri": "https://a.blob.core.windows.net",
                "AudioStorage__clientId": "1",
            },
            "AudioStorage__clientId",
        ),
    ],
)
def test_connection_invalid_settings_name_the_setting(env: dict[str, str], setting: str) -> None:
    with pytest.raises(SettingError) as caught:
        parse(env)
    assert caught.value.setting == setting
