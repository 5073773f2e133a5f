"""The chaos run's own Azurite (on-disk, so it can be restarted mid-run) and app settings.

`CHAOS_BLOBS` (default 300) and `CHAOS_SEED` (default: random, printed) steer the run;
`make chaos N=2000` sets the first. The figures are printed at the end of the session.
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost
from devtools.speech_emulator import RunningEmulator
from tests.fixtures.functions import AppUnderTest
from tests.stress.app_settings import configure_stress_app
from transcriber.services import reset_service

CHAOS_BLOBS = int(os.environ.get("CHAOS_BLOBS") or 300)
CHAOS_SEED = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(2**32))
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("chaos figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def persistent_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """An Azurite of its own that keeps its data on disk across `restart()`."""
    azurite = Azurite(location=Path(tmp_path_factory.mktemp("azurite-data")))
    azurite.start()
    try:
        yield azurite
    finally:
        azurite.stop()


@pytest.fixture
async def chaos_app(
    functions_host: FunctionsHost,
    persistent_azurite: Azurite,
    speech_emulator_factory: Callable[..., RunningEmulator],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AppUnderTest]:
    """The app on the restartable Azurite and an echo-engine emulator; it creates its own output
    containers (CREATE_CONTAINERS defaults to true with a connection string)."""
    speech = speech_emulator_factory(engine="echo")
    containers = configure_stress_app(
        monkeypatch, functions_host, persistent_azurite.connection_string, speech
    )
    storage = BlobServiceClient.from_connection_string(persistent_azurite.connection_string)
    storage.create_container(containers.audio)
    await reset_service()
    try:
        yield AppUnderTest(functions_host, storage, containers, speech)
    finally:
        await reset_service()
        storage.close()
