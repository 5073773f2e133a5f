"""The app's settings for a stress run: its own containers, an echo-engine emulator, the host's tries."""

from __future__ import annotations

import uuid

import pytest

from devtools.functions_host import FunctionsHost
from devtools.speech_emulator import RunningEmulator
from tests.fixtures.storage import BlobContainers


def configure_stress_app(
    monkeypatch: pytest.MonkeyPatch, host: FunctionsHost, connection_string: str, speech: RunningEmulator
) -> BlobContainers:
    """Set the app's environment for a run on `connection_string` and `speech`; returns the
    run's containers. The app creates its own output containers (CREATE_CONTAINERS defaults to
    true with a connection string); a version is final after the host's last try."""
    suffix = uuid.uuid4().hex[:10]
    containers = BlobContainers(f"audio-{suffix}", f"transcripts-{suffix}", f"failures-{suffix}")
    for name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "IDENTITY_ENDPOINT", "CREATE_CONTAINERS"):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "AudioStorage": connection_string,
        **containers.settings(),
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
        "AZURE_SPEECH_ENDPOINT": speech.endpoint,
        "AZURE_SPEECH_API_KEY": speech.key,
        "BLOB_MAX_ATTEMPTS": str(host.blobs.poison_blob_threshold),
        # a duplicate that finds a live claim looks again after a tenth of this (and jitter)
        "BLOB_CLAIM_TIMEOUT_SECONDS": "30",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return containers
