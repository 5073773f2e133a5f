"""Fixtures for the batch client's unit tests (the strict fake service over http and https), and
for the batch route's end-to-end tests: the deployed app, a fresh jobs queue, a storage spy."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import pytest

from devtools.certs import TLSCertificates
from tests.app.conftest import deployed, storage  # noqa: F401 - fixtures of the e2e tests
from tests.app.jobs_queue import jobs  # noqa: F401 - a fixture
from tests.batch.batch_app import storage_spy  # noqa: F401 - a fixture
from tests.batch.fake_service import FakeBatchService, start
from transcriber.config import SpeechSettings
from transcriber.telemetry import DependencyRecord, NullTelemetry


class RecordingTelemetry(NullTelemetry):
    """Keeps every dependency record, as a backend would receive it."""

    def __init__(self) -> None:
        super().__init__()
        self.dependencies: list[DependencyRecord] = []

    def _send_dependency(self, record: DependencyRecord) -> None:
        self.dependencies.append(record)


@pytest.fixture
async def batch_service() -> AsyncIterator[FakeBatchService]:
    """Plain http on loopback, key auth (`service.key`)."""
    service = FakeBatchService()
    runner = await start(service, None)
    yield service
    await runner.cleanup()


@pytest.fixture
async def batch_service_https(tls_certs: TLSCertificates) -> AsyncIterator[FakeBatchService]:
    """https with the session CA, so bearer tokens may be sent."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(tls_certs.cert), str(tls_certs.key))
    service = FakeBatchService()
    runner = await start(service, context)
    yield service
    await runner.cleanup()


def speech_settings(service: FakeBatchService, *, key: Any = "default", **overrides: Any) -> SpeechSettings:
    values: dict[str, Any] = {
        "endpoint": service.base_url,
        "api_key": service.key if key == "default" else key,
        "api_version": "2025-10-15",
        "client_id": None,
        "timeout_seconds": 20.0,
    }
    values.update(overrides)
    return SpeechSettings(**values)
