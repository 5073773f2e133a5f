"""Managed identity end to end: token server -> ManagedIdentityCredential -> https Azurite (--oauth basic)."""

from __future__ import annotations

import ssl
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.identity import ManagedIdentityCredential
from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential
from azure.storage.blob import BlobSasPermissions, BlobServiceClient, generate_blob_sas
from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient

from devtools.azurite import Azurite
from devtools.certs import TLSCertificates
from devtools.token_server import TokenServer
from tests.fixtures.storage import BlobContainers


def _service(azurite: Azurite, certs: TLSCertificates) -> BlobServiceClient:
    """A client as the product builds it: account URL + system-assigned managed identity."""
    credential = ManagedIdentityCredential()
    return BlobServiceClient(
        azurite.blob_endpoint, credential=credential, connection_verify=str(certs.ca_bundle)
    )


def test_azurite_oauth_managed_identity_round_trips_blob(
    azurite_oauth: Azurite,
    tls_certs: TLSCertificates,
    oauth_blob_containers: BlobContainers,
    managed_identity_env: TokenServer,
) -> None:
    with _service(azurite_oauth, tls_certs) as service:
        service.create_container(f"{oauth_blob_containers.audio}-mi")
        blob = service.get_blob_client(oauth_blob_containers.audio, "speech.wav")
        blob.upload_blob(b"RIFF-token")
        assert blob.download_blob().readall() == b"RIFF-token"
        service.delete_container(f"{oauth_blob_containers.audio}-mi")

    assert {r.resource for r in managed_identity_env.journal} == {"https://storage.azure.com"}


def test_azurite_oauth_user_delegation_sas_downloads_with_plain_httpx(
    azurite_oauth: Azurite,
    tls_certs: TLSCertificates,
    oauth_blob_containers: BlobContainers,
    managed_identity_env: TokenServer,
) -> None:
    identity = managed_identity_env.add_user_assigned()
    now = datetime.now(UTC)
    with BlobServiceClient(
        azurite_oauth.blob_endpoint,
        credential=ManagedIdentityCredential(client_id=identity.client_id),
        connection_verify=str(tls_certs.ca_bundle),
    ) as service:
        service.get_blob_client(oauth_blob_containers.audio, "long.wav").upload_blob(b"RIFF-sas")
        key = service.get_user_delegation_key(now - timedelta(minutes=1), now + timedelta(minutes=15))
    sas = generate_blob_sas(
        azurite_oauth.account_name,
        oauth_blob_containers.audio,
        "long.wav",
        user_delegation_key=key,
        permission=BlobSasPermissions(read=True),
        expiry=now + timedelta(minutes=15),
    )
    url = f"{azurite_oauth.blob_endpoint}/{oauth_blob_containers.audio}/long.wav?{sas}"

    with httpx.Client(verify=ssl.create_default_context(cafile=tls_certs.ca_bundle)) as http:
        assert http.get(url).content == b"RIFF-sas"
        refused = http.put(url, content=b"overwrite", headers={"x-ms-blob-type": "BlockBlob"})
    assert refused.status_code == 403  # read-only SAS
    assert {r.client_id for r in managed_identity_env.journal} == {identity.client_id}


async def test_azurite_oauth_aio_managed_identity_round_trips_blob(
    azurite_oauth: Azurite,
    tls_certs: TLSCertificates,
    oauth_blob_containers: BlobContainers,
    managed_identity_env: TokenServer,
) -> None:
    async with (
        AsyncManagedIdentityCredential() as credential,
        AsyncBlobServiceClient(
            azurite_oauth.blob_endpoint, credential=credential, connection_verify=str(tls_certs.ca_bundle)
        ) as service,
    ):
        blob = service.get_blob_client(oauth_blob_containers.transcripts, "speech.json")
        await blob.upload_blob(b"{}")
        assert await (await blob.download_blob()).readall() == b"{}"


@pytest.mark.parametrize(
    ("lifetime_seconds", "audience_override", "reason"),
    [
        (-60, None, "expired"),
        (3600, "https://cognitiveservices.azure.com", "audience"),
    ],
    ids=["expired", "wrong-audience"],
)
def test_azurite_oauth_bad_token_is_refused(
    azurite_oauth: Azurite,
    tls_certs: TLSCertificates,
    oauth_blob_containers: BlobContainers,
    managed_identity_env: TokenServer,
    lifetime_seconds: int,
    audience_override: str | None,
    reason: str,
) -> None:
    managed_identity_env.lifetime_seconds = lifetime_seconds
    managed_identity_env.audience_override = audience_override

    with _service(azurite_oauth, tls_certs) as service, pytest.raises(ClientAuthenticationError) as raised:
        service.get_container_client(oauth_blob_containers.audio).get_container_properties()

    assert raised.value.status_code == 403
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    ("audience", "accepted"),
    [
        ("https://storage.azure.com", True),
        ("https://storage.azure.com/", True),
        ("https://devstoreaccount1.blob.core.windows.net", True),
        ("e406a681-f3d4-42a8-90b6-c2b029497af1", True),
        ("https://otheraccount.blob.core.windows.net", False),
        ("https://storage.azure.com/.default", False),
        ("https://cognitiveservices.azure.com", False),
    ],
)
def test_azurite_oauth_audience_check_matches_azure_storage(
    azurite_oauth: Azurite,
    tls_certs: TLSCertificates,
    oauth_blob_containers: BlobContainers,
    token_server: TokenServer,
    audience: str,
    accepted: bool,
) -> None:
    headers = {"Authorization": f"Bearer {token_server.mint(audience)}", "x-ms-version": "2025-01-05"}
    url = f"{azurite_oauth.blob_endpoint}/{oauth_blob_containers.audio}?restype=container"

    with httpx.Client(verify=ssl.create_default_context(cafile=tls_certs.ca_bundle)) as http:
        status = http.get(url, headers=headers).status_code

    assert status == (200 if accepted else 403)


def test_azurite_oauth_token_endpoint_down_without_retries_fails_fast(
    azurite_oauth: Azurite, tls_certs: TLSCertificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TokenServer() as server:
        env = server.env()  # stopped: its port now refuses connections
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    credential = ManagedIdentityCredential(retry_total=0)
    service = BlobServiceClient(
        azurite_oauth.blob_endpoint,
        credential=credential,
        connection_verify=str(tls_certs.ca_bundle),
        retry_total=0,
    )

    started = time.monotonic()
    with service, pytest.raises(ServiceRequestError, match="Connection refused"):
        service.get_container_client("any").get_container_properties()
    # With default retries this takes ~100 s: storage's retry policy (3 retries, 15 s base
    # backoff) wraps a credential that itself retries for ~5 s.
    assert time.monotonic() - started < 2
