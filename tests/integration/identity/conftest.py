"""The app as it runs in Azure: identity-based storage connection settings, no Speech key.

azure-identity's ManagedIdentityCredential talks to the local token endpoint
(IDENTITY_ENDPOINT / IDENTITY_HEADER); Azurite runs over https with `--oauth basic`; the
Speech emulator serves https, requires bearer tokens for the Cognitive Services audience and
refuses keys. Blobs of any size go by SAS URL here (AUDIO_URL_THRESHOLD_BYTES=0) unless a
test says otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from devtools.azurite import Azurite
from devtools.certs import TLSCertificates
from devtools.functions_host import FunctionsHost
from devtools.token_server import TokenServer
from tests.app.callback_receiver import receiver  # noqa: F401 - a fixture for the callback tests
from tests.app.jobs_queue import Jobs, empty_queues, trigger_queue
from tests.fixtures.functions import AppUnderTest
from tests.fixtures.storage import BlobContainers
from transcriber.services import reset_service


@dataclass
class IdentityApp(AppUnderTest):
    tokens: TokenServer | None = None


@pytest.fixture
def oauth_storage(azurite_oauth: Azurite, tls_certs: TLSCertificates) -> Iterator[BlobServiceClient]:
    """The test's own admin client (shared key): arranges and inspects, never used by the app."""
    client = BlobServiceClient.from_connection_string(
        azurite_oauth.connection_string, connection_verify=str(tls_certs.ca_bundle)
    )
    with client:
        yield client


@pytest.fixture
async def identity_app(
    functions_host: FunctionsHost,
    azurite_oauth: Azurite,
    oauth_blob_containers: BlobContainers,
    oauth_storage: BlobServiceClient,
    managed_identity_env: TokenServer,
    speech_tokens: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[IdentityApp]:
    for name in (
        "AudioStorage",
        "AZURE_SPEECH_API_KEY",
        "AZURE_CLIENT_ID",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "AudioStorage__blobServiceUri": azurite_oauth.blob_endpoint,
        "AudioStorage__queueServiceUri": azurite_oauth.queue_endpoint,
        "AudioStorage__credential": "managedidentity",
        "AUDIO_CONTAINER": oauth_blob_containers.audio,
        "TRANSCRIPTS_CONTAINER": oauth_blob_containers.transcripts,
        "FAILURES_CONTAINER": oauth_blob_containers.failures,
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
        "AZURE_SPEECH_ENDPOINT": speech_tokens.endpoint,
        "AUDIO_URL_THRESHOLD_BYTES": "0",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    await reset_service()
    try:
        yield IdentityApp(
            functions_host, oauth_storage, oauth_blob_containers, speech_tokens, managed_identity_env
        )
    finally:
        await reset_service()


@pytest.fixture
async def jobs(
    identity_app: IdentityApp, azurite_oauth: Azurite, tls_certs: TLSCertificates
) -> AsyncIterator[Jobs]:
    """The jobs queue on the https+OAuth Azurite, empty; the app and the host reach it by identity.

    Only the test's own clients (arranging and inspecting) use the shared key.
    """
    queue = trigger_queue(identity_app.host)
    options = {"connection_verify": str(tls_certs.ca_bundle)}
    with empty_queues(azurite_oauth.connection_string, queue, **options):
        yield Jobs(identity_app, azurite_oauth.connection_string, queue, **options)
