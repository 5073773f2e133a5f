"""Telemetry never fails or stalls a transcription, and costs nothing when it is off."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from devtools.ingestion import IngestionServer
from tests.fixtures.telemetry import MakeTelemetry
from tests.integration.telemetry.scenarios import TRACEPARENT_A, transcribe_blob
from transcriber.adapters.telemetry import NullTelemetry, create_telemetry

BACKENDS = pytest.mark.parametrize("backend", ["opencensus", "opentelemetry"])
FLUSH_TIMEOUT_S = 0.5
# The bound a caller sees: the flush timeout plus scheduling slack on a busy 2-core machine.
BOUND_S = FLUSH_TIMEOUT_S + 0.5


def timed(call: Callable[[], None]) -> float:
    start = time.monotonic()
    call()
    return time.monotonic() - start


@BACKENDS
def test_invocation_ingestion_refusing_connections_completes_in_bounded_time(
    backend: str, refused_connection_string: str, make_telemetry: MakeTelemetry
) -> None:
    telemetry = make_telemetry(refused_connection_string, backend, flush_timeout_s=FLUSH_TIMEOUT_S)
    assert timed(lambda: transcribe_blob(telemetry, TRACEPARENT_A)) < BOUND_S


@BACKENDS
def test_invocation_ingestion_answering_500_completes_in_bounded_time(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    ingestion.fail(500)
    telemetry = make_telemetry(ingestion.connection_string, backend, flush_timeout_s=FLUSH_TIMEOUT_S)
    assert timed(lambda: transcribe_blob(telemetry, TRACEPARENT_A)) < BOUND_S
    ingestion.wait_for(lambda server: server.requests)
    assert {request.status for request in ingestion.requests} == {500}
    assert not ingestion.envelopes()


@BACKENDS
def test_invocation_ingestion_stalled_never_waits_and_a_flush_gives_up_in_bounded_time(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry, caplog: pytest.LogCaptureFixture
) -> None:
    ingestion.stall(30.0)
    telemetry = make_telemetry(
        ingestion.connection_string, backend, flush_timeout_s=FLUSH_TIMEOUT_S, shutdown_timeout_s=0.5
    )
    # Invocations queue their items and move on, before and while the export is stuck.
    assert timed(lambda: transcribe_blob(telemetry, TRACEPARENT_A)) < 0.2
    assert timed(lambda: transcribe_blob(telemetry, TRACEPARENT_A)) < 0.2
    with caplog.at_level(logging.WARNING, logger="transcriber.adapters.telemetry"):
        assert timed(lambda: telemetry.flush()) < BOUND_S
    assert "did not finish within" in caplog.text
    assert timed(telemetry.shutdown) < 0.5 + 0.5


@BACKENDS
def test_invocation_after_ingestion_recovers_delivers_again(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry
) -> None:
    ingestion.fail(500)
    telemetry = make_telemetry(ingestion.connection_string, backend, flush_timeout_s=FLUSH_TIMEOUT_S)
    transcribe_blob(telemetry, TRACEPARENT_A)
    ingestion.recover()
    transcribe_blob(telemetry, TRACEPARENT_A)
    ingestion.wait_for(lambda server: server.items("EventData", "TranscriptionCompleted"), timeout=10.0)


@BACKENDS
def test_create_telemetry_no_connection_string_starts_no_thread(backend: str) -> None:
    before = set(threading.enumerate())
    telemetry = create_telemetry(None, backend)
    assert isinstance(telemetry, NullTelemetry)
    assert not telemetry.enabled
    transcribe_blob(telemetry, TRACEPARENT_A)
    transcribe_blob(telemetry, TRACEPARENT_A, fail=True)
    telemetry.shutdown()
    assert set(threading.enumerate()) - before == set()


def test_create_telemetry_empty_connection_string_is_null() -> None:
    assert isinstance(create_telemetry("  ", "opentelemetry"), NullTelemetry)


def test_import_telemetry_no_connection_string_loads_no_exporter_library() -> None:
    code = (
        "import sys; from transcriber.adapters.telemetry import create_telemetry; create_telemetry(None);"
        "loaded = [m for m in ('opencensus', 'opentelemetry', 'azure.monitor', 'azure.core') if m in sys.modules];"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@BACKENDS
def test_create_telemetry_invalid_connection_string_logs_and_turns_telemetry_off(
    backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="transcriber.adapters.telemetry"):
        telemetry = create_telemetry(
            "InstrumentationKey=not-a-guid;IngestionEndpoint=http://127.0.0.1:9/", backend
        )
    assert isinstance(telemetry, NullTelemetry)
    assert "telemetry is off" in caplog.text
    assert "not-a-guid" not in caplog.text


def test_create_telemetry_unknown_backend_raises() -> None:
    with pytest.raises(ValueError, match="opencensus, opentelemetry"):
        create_telemetry("InstrumentationKey=00000000-0000-0000-0000-000000000000", "statsd")
