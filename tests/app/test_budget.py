"""The audio budget through the local host: a caller over budget gets 429 before any Speech call,
and a key in `?code=` is refused (400 naming the header) whatever the function."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devtools.azurite import Azurite
from tests.fixtures.functions import HTTP_URL
from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.adapters.budget_table import BudgetTable, TableWrite
from transcriber.adapters.telemetry import NullTelemetry
from transcriber.config.storage_connection import StorageConnection
from transcriber.domain.audio_budget import BudgetKeys
from transcriber.domain.owners import KEY_OWNER
from transcriber.services import reset_service

ORIGIN = "https://transcriber.azurewebsites.net"


@pytest.fixture
async def spent(deployed: Deployed, azurite: Azurite, monkeypatch: pytest.MonkeyPatch) -> str:
    """A budget of one minute a day, all of it already spent today by the key holders."""
    table = f"budget{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("AUDIO_BUDGET_MINUTES_PER_DAY", "1")
    monkeypatch.setenv("AUDIO_BUDGET_TABLE", table)
    await reset_service()
    connection = StorageConnection.from_settings({"AudioStorage": azurite.connection_string}, "AudioStorage")
    budget = BudgetTable(connection, table, NullTelemetry(), create=True)
    keys = BudgetKeys.of(KEY_OWNER, datetime.now(UTC))
    try:
        await budget.write(
            [TableWrite("create", keys.partition, keys.usage_row, {"seconds": 60, "charges": 1})]
        )
    finally:
        await budget.close()
    return table


async def test_budget_caller_over_budget_gets_429_before_any_speech_call(
    deployed: Deployed, spent: str, corpus: Path
) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    for url in (HTTP_URL, f"{ORIGIN}/api/transcriptions"):
        response = await deployed.call("POST", url, audio, {"Content-Type": "audio/wav"})
        error = json.loads(response.get_body())["error"]
        assert response.status_code == 429 and error["code"] == "BudgetExceeded", url
        assert error["resetAt"].endswith("T00:00:00Z")
        assert 0 < int(response.headers["Retry-After"]) <= 24 * 3600
    await deployed.host.drain()
    assert deployed.speech.requests() == []  # the emulator's journal: nothing reached Speech


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/transcribe"),
        ("GET", "/api/transcriptions"),
        ("POST", "/api/uploads"),
        ("GET", "/"),
        ("GET", "/api/transcribe"),  # no route's method: refused there too
    ],
)
async def test_budget_key_in_code_query_is_400_naming_the_header(
    deployed: Deployed, method: str, path: str
) -> None:
    key = deployed.host.keys.function_key
    response = await deployed.host.http(method, f"{ORIGIN}{path}?code={key}", b"", {})
    error = json.loads(response.get_body())["error"]
    assert response.status_code == 400 and error["code"] == "KeyInQuery"
    assert error["header"] == "x-functions-key" and key not in response.get_body().decode()
    assert deployed.speech.requests() == []


async def test_budget_deep_health_probes_the_budget_table(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIO_BUDGET_MINUTES_PER_DAY", "60")
    monkeypatch.setenv("AUDIO_BUDGET_TABLE", f"budget{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("CREATE_CONTAINERS", "false")  # as in Azure: infra creates the table
    await reset_service()
    response = await deployed.call("GET", f"{ORIGIN}/api/health/deep")
    report = json.loads(response.get_body())
    assert response.status_code == 503 and report["storage"]["budgetTable"]["status"] == "missing"
    monkeypatch.setenv("CREATE_CONTAINERS", "true")  # locally the app makes what is missing
    await reset_service()
    response = await deployed.call("GET", f"{ORIGIN}/api/health/deep")
    report = json.loads(response.get_body())
    assert response.status_code == 200 and report["storage"]["budgetTable"]["status"] == "ok"
