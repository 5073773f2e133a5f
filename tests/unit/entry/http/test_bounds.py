"""HTTP parsing bounds: JSON size and depth, multipart parts and field sizes, each a 400 with its code."""

from __future__ import annotations

import json
import threading

import pytest

from transcriber.domain.errors import InvalidRequestError
from transcriber.entry.http import transcribe as http_transcribe
from transcriber.entry.http.multipart_form import MAX_FIELD_BYTES, MAX_PARTS
from transcriber.entry.http.request import MAX_JSON_BYTES, MAX_JSON_DEPTH, parse_request

BASE = "http://127.0.0.1:10000/devstoreaccount1/audio-in"
URL = "https://app.azurewebsites.net/api/transcribe"


def code_of(body: bytes, content_type: str) -> str:
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(
            URL, {"Content-Type": content_type}, body, max_bytes=200 * 1024 * 1024, blob_base_url=BASE
        )
    return caught.value.code


def test_http_json_nested_1000_deep_is_400_json_too_deep() -> None:
    assert code_of(b"[" * 1000 + b"]" * 1000, "application/json") == "JsonTooDeep"
    assert (
        code_of(
            json.dumps({"blob": "a.wav", "x": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}).encode(),
            "application/json",
        )
        == "JsonTooDeep"
    )


def test_http_json_brackets_inside_strings_do_not_count_as_depth() -> None:
    body = json.dumps({"blob": "a.wav", "phrases": ["[" * (MAX_JSON_DEPTH + 5)]}).encode()
    request = parse_request(
        URL, {"Content-Type": "application/json"}, body, max_bytes=10**6, blob_base_url=BASE
    )
    assert request.blob == "a.wav"


def test_http_json_over_the_size_bound_is_400_json_too_large() -> None:
    body = json.dumps({"blob": "a.wav", "phrases": ["x" * MAX_JSON_BYTES]}).encode()
    assert code_of(body, "application/json") == "JsonTooLarge"


def _multipart(parts: int, field_bytes: int = 1) -> bytes:
    chunk = b'--b\r\nContent-Disposition: form-data; name="locale"\r\n\r\n' + b"x" * field_bytes + b"\r\n"
    return chunk * parts + b"--b--\r\n"


def test_http_multipart_of_a_million_tiny_parts_stops_at_the_bound() -> None:
    # 300,000 parts here (issue 10 measured 1.7 million): refused after MAX_PARTS + 1 of them
    assert code_of(_multipart(300_000), "multipart/form-data; boundary=b") == "TooManyParts"
    assert code_of(_multipart(MAX_PARTS + 1), "multipart/form-data; boundary=b") == "TooManyParts"


def test_http_multipart_field_over_its_bound_is_400_field_too_large() -> None:
    assert code_of(_multipart(1, MAX_FIELD_BYTES + 1), "multipart/form-data; boundary=b") == "FieldTooLarge"


def test_http_multipart_without_boundary_or_parts_is_400() -> None:
    assert code_of(b"--b--\r\n", "multipart/form-data") == "MultipartBoundaryMissing"
    assert code_of(b"garbage", "multipart/form-data; boundary=b") == "MalformedMultipart"


async def test_http_parsing_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        raise InvalidRequestError("stop here")

    monkeypatch.setattr(http_transcribe, "parse_request", recording)
    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", "https://contoso.cognitiveservices.azure.com")
    monkeypatch.setenv("AudioStorage", "UseDevelopmentStorage=true")
    monkeypatch.delenv("APPLICATIONINSIGHTS_CONNECTION_STRING", raising=False)
    from transcriber.domain.invocation import Invocation
    from transcriber.services import reset_service

    await reset_service()
    try:
        reply = await http_transcribe.handle_transcribe(URL, {}, b"x", Invocation("transcribe"))
    finally:
        await reset_service()
    assert reply.status == 400 and threads and threads[0] is not threading.main_thread()
