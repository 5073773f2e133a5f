"""The Function App against Azurite (connection string) and the Speech emulator (key auth),
with the polling blob trigger source that Azurite supports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost
from tests.app.callback_receiver import receiver  # noqa: F401 - a fixture for the callback tests
from tests.app.jobs_queue import jobs  # noqa: F401 - a fixture for the job tests
from tests.fixtures.functions import AppUnderTest
from tests.fixtures.storage import BlobContainers
from transcriber.services import reset_service


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
) -> AsyncIterator[AppUnderTest]:
    for name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "IDENTITY_ENDPOINT", "AZURE_SPEECH_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "AudioStorage": azurite.connection_string,
        "AUDIO_CONTAINER": blob_containers.audio,
        "TRANSCRIPTS_CONTAINER": blob_containers.transcripts,
        "FAILURES_CONTAINER": blob_containers.failures,
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
        "AZURE_SPEECH_ENDPOINT": speech.endpoint,
        "AZURE_SPEECH_API_KEY": speech.key,
        "BLOB_MAX_ATTEMPTS": "2",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    await reset_service()
    try:
        yield AppUnderTest(functions_host, storage, blob_containers, speech)
    finally:
        await reset_service()


@pytest.fixture
def sent(functions_host: FunctionsHost, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every InvocationRequest the host sends the runtime during the test."""
    requests: list[Any] = []
    worker = functions_host._worker
    invoke = worker.invoke

    async def spy(request: Any) -> Any:
        requests.append(request)
        return await invoke(request)

    monkeypatch.setattr(worker, "invoke", spy)
    return requests
