"""The command line against the Speech emulator and Azurite, run in-process through `main()`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devtools.azurite import Azurite
from tests.fixtures.storage import BlobContainers

CLEARED = (
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "IDENTITY_ENDPOINT",
    "AudioStorage",
    "AZURE_SPEECH_ENDPOINT",
)


@pytest.fixture
def cli_env(
    speech: Any,
    azurite: Azurite,
    blob_containers: BlobContainers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> BlobContainers:
    """Settings in the environment, working folder a fresh temporary one (no local.settings.json)."""
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = {
        "AudioStorage": azurite.connection_string,
        "AUDIO_CONTAINER": blob_containers.audio,
        "TRANSCRIPTS_CONTAINER": blob_containers.transcripts,
        "AZURE_SPEECH_ENDPOINT": speech.endpoint,
        "AZURE_SPEECH_API_KEY": speech.key,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return blob_containers
