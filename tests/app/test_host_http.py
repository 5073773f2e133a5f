"""The local host's HTTP front end, around Microsoft's runtime: limits, keys, routes, conversion."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from devtools.functions_host import FrontEndLimits
from devtools.functions_host.limits import MAX_REQUEST_BYTES
from tests.fixtures.functions import HTTP_URL
from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.entry.http import health as http_health
from transcriber.entry.http import transcribe as http_transcribe


async def test_host_http_body_over_100_mb_is_413_before_the_worker(
    deployed: Deployed, sent: list[Any]
) -> None:
    response = await deployed.post(bytes(MAX_REQUEST_BYTES + 1), "audio/wav")
    assert response.status_code == 413 and response.invocation_id is None
    assert sent == [] and deployed.speech.requests() == []


async def test_host_http_url_over_4_kb_is_414(deployed: Deployed, sent: list[Any]) -> None:
    response = await deployed.post(b"RIFF", "audio/wav", "locale=" + "x" * 4096)
    assert response.status_code == 414 and sent == []


async def test_host_http_slower_than_230_s_limit_is_502_while_function_finishes(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deployed.host, "limits", FrontEndLimits(http_timeout_seconds=0.5))  # 230 s in Azure
    deployed.speech.delay(2.0)
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 502 and response.error == "timeout"
    await deployed.host.drain()
    assert [request.status for request in deployed.speech.requests()] == [200]


@pytest.mark.parametrize("key", [None, "wrong"])
async def test_host_http_function_level_without_valid_key_is_401(
    deployed: Deployed, sent: list[Any], key: str | None
) -> None:
    headers = {"x-functions-key": key} if key else {}
    response = await deployed.host.http("POST", HTTP_URL, b"RIFF", {"Content-Type": "audio/wav", **headers})
    assert response.status_code == 401 and sent == []


async def test_host_http_key_in_code_query_parameter_is_refused_naming_the_header(
    deployed: Deployed, corpus: Path
) -> None:
    url = f"{HTTP_URL}?code={deployed.host.keys.function_key}&format=text"
    response = await deployed.host.http(
        "POST", url, (corpus / "cards-001.wav").read_bytes(), {"Content-Type": "audio/wav"}
    )
    assert response.status_code == 400 and b"x-functions-key" in response.get_body()
    assert deployed.speech.requests() == []


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/api/transcribe", "POST"),
        ("DELETE", "/api/transcriptions", "GET, POST"),
        ("PUT", f"/api/transcriptions/{'0' * 32}", "GET"),
        ("POST", "/API/Health/deep", "GET"),
        ("GET", "/api/transcriptions/abc/speakers", "PUT"),
    ],
)
async def test_host_http_wrong_method_on_an_api_route_is_405_with_allow_in_json(
    deployed: Deployed, sent: list[Any], method: str, path: str, allow: str
) -> None:
    response = await deployed.host.http(method, f"https://transcriber.azurewebsites.net{path}")  # no key
    assert response.status_code == 405 and response.mimetype == "application/json"
    assert response.headers["Allow"] == allow
    error = json.loads(response.get_body())["error"]
    assert error["code"] == "MethodNotAllowed" and allow in error["message"]
    assert deployed.speech.requests() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/nothing"),
        ("DELETE", "/api"),
        ("GET", "/api/transcriptions/a/b/c"),
        ("GET", "/transcribe"),
    ],
)
async def test_host_http_unknown_route_is_a_json_404_whatever_the_method(
    deployed: Deployed, method: str, path: str
) -> None:
    response = await deployed.call(method, f"https://transcriber.azurewebsites.net{path}")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert json.loads(response.get_body())["error"]["code"] == "NotFound"


async def test_host_http_root_serves_the_page_anonymously_with_its_security_headers(
    deployed: Deployed,
) -> None:
    response = await deployed.host.http("GET", "https://transcriber.azurewebsites.net/")  # no key
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b"<html" in response.get_body()
    headers = {k.lower(): v for k, v in response.headers.items()}
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    # no other origin, but the audio account's blob endpoint, for the page's uploads with an upload URL
    others = {word for word in policy.replace(";", " ").split() if "://" in word}
    blob = urlsplit(deployed.storage.url)
    assert others == {f"{blob.scheme}://{blob.netloc}"} and f"connect-src 'self' {blob.scheme}://" in policy
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/api/nowhere", "/nothing.js", "/../host.json", "/web/index.html"])
async def test_host_http_unknown_path_under_the_page_is_a_json_404(deployed: Deployed, path: str) -> None:
    response = await deployed.host.http("GET", f"https://transcriber.azurewebsites.net{path}")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert json.loads(response.get_body())["error"]["code"] == "NotFound"


async def test_host_http_request_reaches_runtime_as_the_host_converts_it(
    deployed: Deployed, corpus: Path, sent: list[Any]
) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    response = await deployed.post(audio, "audio/wav", "format=text&locale=&x=1&x=2", trace_parent=None)
    assert response.status_code == 400 and b"'x'" in response.get_body()  # the app names unknown parameters
    (request,) = sent
    http = request.input_data[0].data.http
    assert request.input_data[0].name == "req" and http.method == "POST"
    assert http.url == f"{HTTP_URL}?format=text&locale=&x=1&x=2"
    assert dict(http.query) == {"format": "text", "x": "1,2"}  # empty values are not sent
    assert dict(http.headers) == {
        "content-type": "audio/wav",
        "x-functions-key": deployed.host.keys.function_key,
        "host": "transcriber.azurewebsites.net",
        "content-length": str(len(audio)),
    }
    assert http.body.WhichOneof("data") == "bytes" and http.body.bytes == audio
    assert request.trace_context.trace_parent.startswith("00-") and request.HasField("retry_context")
    assert response.invocation_id == request.invocation_id


async def test_host_http_return_value_keeps_content_type_the_worker_set(
    deployed: Deployed, corpus: Path
) -> None:
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav", "format=vtt")
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.get_body().startswith(b"WEBVTT")


async def test_host_http_logs_are_captured_per_invocation(deployed: Deployed, corpus: Path) -> None:
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 200
    assert {log.invocation_id for log in response.logs} == {response.invocation_id}
    messages = [log.message for log in response.logs]
    assert "Function name: transcribe, Function Type: async" in messages
    # azure-core's request lines (every URL, blob names included) are held at WARNING (privacy)
    assert not any("speechtotext/transcriptions:transcribe" in message for message in messages)


async def test_host_http_sync_function_runs_in_the_runtimes_thread_pool(deployed: Deployed) -> None:
    response = await deployed.call("GET", "https://transcriber.azurewebsites.net/api/health")
    assert response.status_code == 200 and json.loads(response.get_body())["status"] == "ok"
    assert "Function name: health, Function Type: sync" in [log.message for log in response.logs]


async def test_host_http_sync_function_runs_off_the_loop_async_ones_share_it(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    loops: list[object] = []
    health, handle_transcribe = http_health.health, http_transcribe.handle_transcribe

    def on_thread(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return health(*args)

    async def on_loop(*args: Any) -> Any:
        loops.append(asyncio.get_running_loop())
        return await handle_transcribe(*args)

    monkeypatch.setattr(http_health, "health", on_thread)
    monkeypatch.setattr(http_transcribe, "handle_transcribe", on_loop)
    audio = (corpus / "cards-001.wav").read_bytes()
    responses = await asyncio.gather(
        deployed.call("GET", "https://transcriber.azurewebsites.net/api/health"),
        deployed.post(audio, "audio/wav"),
        deployed.post(audio, "audio/wav"),
    )
    assert [response.status_code for response in responses] == [200, 200, 200]
    (thread,) = threads
    assert thread != threading.main_thread().name and thread.startswith("ThreadPoolExecutor")
    assert loops == [asyncio.get_running_loop()] * 2
