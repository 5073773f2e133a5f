"""Entra ID for ingestion: the real ManagedIdentityCredential against the local token server."""

from __future__ import annotations

import logging

import pytest
from azure.identity import ManagedIdentityCredential

from devtools.ingestion import IngestionServer
from devtools.token_server import TokenServer
from tests.fixtures.telemetry import MakeTelemetry
from tests.integration.telemetry.scenarios import TRACEPARENT_A, delivered, transcribe_blob

BACKENDS = pytest.mark.parametrize("backend", ["opencensus", "opentelemetry"])
MONITOR_AUDIENCE = "https://monitor.azure.com"


@BACKENDS
def test_telemetry_with_credential_sends_bearer_token_for_monitor_audience(
    backend: str,
    ingestion_https: IngestionServer,
    managed_identity_env: TokenServer,
    make_telemetry: MakeTelemetry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    credential = ManagedIdentityCredential()
    telemetry = make_telemetry(ingestion_https.connection_string, backend, credential=credential)

    transcribe_blob(telemetry, TRACEPARENT_A)
    delivered(telemetry)

    assert ingestion_https.items("EventData", "TranscriptionCompleted")
    requests = ingestion_https.requests
    assert requests
    for request in requests:
        assert request.auth_scheme == "Bearer"
        assert (request.token_audience or "").rstrip("/") == MONITOR_AUDIENCE
    resources = {entry.resource.rstrip("/") for entry in managed_identity_env.journal if entry.resource}
    assert resources == {MONITOR_AUDIENCE}
    assert "eyJ" not in caplog.text  # no JWT (header, claims or signature) in any log line


@BACKENDS
def test_telemetry_without_credential_sends_no_authorization(
    backend: str, ingestion: IngestionServer, make_telemetry: MakeTelemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Config owns this setting: the exporter must not read it and build its own credential.
    monkeypatch.setenv("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=AAD")
    telemetry = make_telemetry(ingestion.connection_string, backend)
    transcribe_blob(telemetry, TRACEPARENT_A)
    delivered(telemetry)
    assert ingestion.requests
    assert {request.auth_scheme for request in ingestion.requests} == {None}
