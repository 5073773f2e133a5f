"""GET /api/health (anonymous, status only) and /api/health/deep (key: Speech and storage probed)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from devtools.local_services import free_port
from tests.fixtures.functions import AppUnderTest as Deployed

BASE = "https://transcriber.azurewebsites.net/api"


async def get(deployed: Deployed, function: str, path: str) -> tuple[int, dict[str, Any], str]:
    """GET through the host's front end, with the function key (`function` names the target)."""
    response = await deployed.call("GET", f"{BASE}/{path}")
    body = response.get_body().decode()
    return response.status_code, json.loads(body), body


async def test_health_anonymous_says_only_status(deployed: Deployed) -> None:
    assert await get(deployed, "health", "health") == (200, {"status": "ok"}, '{"status": "ok"}')
    assert deployed.speech.requests() == []


async def test_health_anonymous_misconfigured_names_nothing(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_SPEECH_ENDPOINT")
    assert (await get(deployed, "health", "health"))[:2] == (503, {"status": "misconfigured"})


async def test_health_anonymous_deep_points_to_the_keyed_route(deployed: Deployed) -> None:
    status, body, _ = await get(deployed, "health", "health?deep=true")
    assert status == 403 and "/api/health/deep" in body["error"]["message"]
    status, body, _ = await get(deployed, "health", "health?verbose=1")
    assert status == 400 and "verbose" in body["error"]["message"]


async def test_health_deep_all_reachable_probes_without_audio(deployed: Deployed) -> None:
    status, report, text = await get(deployed, "health_deep", "health/deep")
    assert status == 200 and report["status"] == "ok" and report["cached"] is False
    assert report["speech"]["status"] == "ok" and report["speech"]["authentication"] == "key"
    containers = report["storage"]["containers"]
    assert {c["status"] for c in containers.values()} == {"ok"} and len(
        containers
    ) == 3  # audio, transcripts, failures
    [probe] = deployed.speech.requests()
    assert probe.auth == "key" and probe.audio_bytes is None and probe.status == 400
    assert deployed.speech.key not in text and "AccountKey" not in text
    assert report["configuration"]["audioContainer"] == deployed.containers.audio


async def test_health_deep_needs_the_function_key(deployed: Deployed) -> None:
    assert (await deployed.host.http("GET", f"{BASE}/health/deep")).status_code == 401
    assert (await deployed.host.http("GET", f"{BASE}/health")).status_code == 200


async def test_health_deep_is_cached_briefly(deployed: Deployed) -> None:
    await get(deployed, "health_deep", "health/deep")
    status, report, _ = await get(deployed, "health_deep", "health/deep")
    assert status == 200 and report["cached"] is True
    assert len(deployed.speech.requests()) == 1


async def test_health_deep_wrong_speech_key_is_unauthorized(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_SPEECH_API_KEY", "not-the-key")
    await deployed.restart()
    status, report, text = await get(deployed, "health_deep", "health/deep")
    assert status == 503 and report["speech"]["status"] == "unauthorized"
    assert "not-the-key" not in text


async def test_health_deep_stopped_speech_endpoint_is_unreachable_within_seconds(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    await deployed.restart()
    clock = time.monotonic()
    status, report, _ = await get(deployed, "health_deep", "health/deep")
    assert status == 503 and report["speech"]["status"] == "unreachable"
    assert time.monotonic() - clock < 6


async def test_health_deep_token_auth_over_plain_http_is_unauthorized(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_SPEECH_API_KEY", raising=False)
    await deployed.restart()
    status, report, _ = await get(deployed, "health_deep", "health/deep")
    assert status == 503 and report["speech"]["status"] == "unauthorized"
    assert "https" in report["speech"]["message"] and deployed.speech.requests() == []


async def test_health_deep_missing_container_and_stopped_storage(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTS_CONTAINER", "no-such-container")
    await deployed.restart()
    _, report, _ = await get(deployed, "health_deep", "health/deep")
    assert report["storage"]["containers"]["no-such-container"]["status"] == "missing"
    assert report["storage"]["containers"][deployed.containers.audio]["status"] == "ok"

    account = "devstoreaccount1"
    monkeypatch.setenv(
        "AudioStorage",
        f"DefaultEndpointsProtocol=http;AccountName={account};AccountKey=a2V5;"
        f"BlobEndpoint=http://127.0.0.1:{free_port()}/{account};",
    )
    await deployed.restart()
    clock = time.monotonic()
    status, report, _ = await get(deployed, "health_deep", "health/deep")
    assert status == 503 and time.monotonic() - clock < 6
    assert {c["status"] for c in report["storage"]["containers"].values()} == {"unreachable"}


async def test_health_deep_misconfigured_names_the_setting(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_TRIGGER_SOURCE", "Polling")
    status, report, _ = await get(deployed, "health_deep", "health/deep")
    assert status == 503 and report["error"]["setting"] == "BLOB_TRIGGER_SOURCE"
