"""Fixtures of the batch route's end-to-end tests: the deployed app, a fresh jobs queue, a storage
spy. The batch client's own fixtures (the strict fake service) are the plugin
tests/fixtures/batch_service.py."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.app.batch.batch_app import recording, storage_spy  # noqa: F401 - a fixture
from tests.app.conftest import deployed, storage  # noqa: F401 - fixtures of the e2e tests
from tests.app.jobs_queue import jobs  # noqa: F401 - a fixture


@pytest.fixture
def echo(speech_emulator_factory: Callable[..., Any]) -> Any:
    """The Speech emulator's echo engine: its text at the start of every 30 s block."""
    return speech_emulator_factory(engine="echo")


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """A minute at 16 kHz (1.9 MB): over batch_app.LIMIT."""
    return recording(tmp_path / "big.wav", 60, rate=16000)
