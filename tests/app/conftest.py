"""The Function App against Azurite and the Speech emulator, invoked as the host would.

`functions_host` indexes function_app once per session (a FunctionApp indexes only once).
`deployed` configures the app's settings for one test: fresh containers on Azurite, the Speech
emulator with key auth, and the polling blob trigger source that Azurite supports.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContentSettings

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost
from tests.fixtures.storage import BlobContainers
from transcriber.service import reset_service


@pytest.fixture(scope="session")
def functions_host() -> FunctionsHost:
    for name in ("BLOB_TRIGGER_SOURCE", "AUDIO_CONTAINER"):
        os.environ.pop(name, None)
    import function_app

    return FunctionsHost(function_app.app)


@dataclass
class Deployed:
    """One configured app: its host, its storage and its Speech emulator."""

    host: FunctionsHost
    storage: BlobServiceClient
    containers: BlobContainers
    speech: Any

    def upload(self, name: str, data: bytes, content_type: str = "audio/wav") -> str:
        blob = self.storage.get_blob_client(self.containers.audio, name)
        blob.upload_blob(data, overwrite=True, content_settings=ContentSettings(content_type=content_type))
        return blob.get_blob_properties().etag.strip('"')

    async def blob_event(self, name: str, data: bytes | None = None, **kwargs: Any) -> Any:
        if data is None:
            data = self.storage.get_blob_client(self.containers.audio, name).download_blob().readall()
        return await self.host.blob_event("transcribe_blob", self.containers.audio, name, data, **kwargs)

    def transcripts(self) -> dict[str, bytes]:
        container = self.storage.get_container_client(self.containers.transcripts)
        return {b.name: container.download_blob(b.name).readall() for b in container.list_blobs()}

    def transcript_json(self, name: str) -> dict[str, Any]:
        return json.loads(self.transcripts()[name])

    def output_props(self, name: str) -> Any:
        return self.storage.get_blob_client(self.containers.transcripts, name).get_blob_properties()


def app_settings(azurite: Azurite, containers: BlobContainers, speech: Any) -> dict[str, str]:
    return {
        "AudioStorage": azurite.connection_string,
        "AUDIO_CONTAINER": containers.audio,
        "TRANSCRIPTS_CONTAINER": containers.transcripts,
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
        "AZURE_SPEECH_ENDPOINT": speech.endpoint,
        "AZURE_SPEECH_API_KEY": speech.key,
        "BLOB_MAX_ATTEMPTS": "2",
    }


@pytest.fixture
def storage(azurite: Azurite) -> Iterator[BlobServiceClient]:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        yield client


@pytest.fixture
async def deployed(
    functions_host: FunctionsHost,
    azurite: Azurite,
    blob_containers: BlobContainers,
    storage: BlobServiceClient,
    speech: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Deployed]:
    for name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "IDENTITY_ENDPOINT", "AZURE_SPEECH_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in app_settings(azurite, blob_containers, speech).items():
        monkeypatch.setenv(name, value)
    await reset_service()
    try:
        yield Deployed(functions_host, storage, blob_containers, speech)
    finally:
        await reset_service()
