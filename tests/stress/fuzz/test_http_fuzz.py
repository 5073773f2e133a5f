"""Property-based fuzzing of POST /api/transcribe (hypothesis), storage reached by managed identity.

Every answer is a 200 or a 4xx with a JSON error body; never a 5xx or an escaped exception, and no
body holds a secret or a stack trace. Blob names in every traversal form never reach outside the
audio container: they are 400 InvalidBlobName, whether or not their target exists.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.stress.fuzz.conftest import FuzzTarget

# 800 + 600 + 400 + 400 generated requests, plus the fixed traversal forms: over 2,000 in CI.
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
URL = "https://transcriber.azurewebsites.net/api/transcribe"
LEAKS = re.compile(r"Traceback|File \"|eyJ[A-Za-z0-9_-]{8,}|sig=|AccountKey|secret\.wav", re.IGNORECASE)
TRAVERSALS = (
    "../{other}/secret.wav",
    "x/y/../../../{other}/secret.wav",
    "%2e%2e/{other}/secret.wav",
    "%2E%2E/{other}/secret.wav",
    "%252e%252e/{other}/secret.wav",
    "..%2f{other}%2fsecret.wav",
    "..\\{other}\\secret.wav",
    "..",
    ".",
    "/{other}/secret.wav",
    "./ok.wav",
    "ok.wav/..",
    "a//ok.wav",
)
SEGMENTS = st.sampled_from(
    [".", "..", "%2e%2e", "%2E%2e", "%252e%252e", ".%2e", "%2e.", "..%2f..", "..\\..", "\\", "", "ok.wav"]
) | st.sampled_from(
    ["x.wav", "名前", "with space", "%00", "\x00", "\x1f", "%0a", "..;", "...", ".hidden", "%", "%zz"]
)
OPTION_NAMES = ["locale", "locales", "diarization", "channels", "profanity", "phrases", "format", "blob"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


async def _post(target: FuzzTarget, body: bytes, headers: dict[str, str], query: str = "") -> tuple[int, str]:
    response = await target.app.call(
        "POST", f"{URL}?{query}", body, headers
    )  # through the front end, with the key
    return response.status_code, response.get_body().decode("utf-8", "replace")


def _check(status: int, body: str, mimetype_json: bool = True) -> dict[str, Any] | None:
    assert status < 500, f"{status}: {body[:500]}"
    assert not LEAKS.search(body), body[:500]
    if status == 200:
        return None
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message"} and error["code"] and error["message"]
    return error


def _escapes(name: str) -> bool:
    """An independent oracle: does any decoding of `name` hold a dot segment or a backslash?"""
    for _ in range(5):
        parts = re.split(r"[/\\]", name)
        if "\\" in name or any(p in (".", "..") for p in parts) or name.startswith("/"):
            return True
        decoded = unquote(name)
        if decoded == name:
            return False
        name = decoded
    return True


async def test_fuzz_every_fixed_traversal_form_is_refused(fuzz_target: FuzzTarget) -> None:
    base = f"{fuzz_target.app.storage.url.rstrip('/')}/{fuzz_target.app.containers.audio}"
    for form in TRAVERSALS:
        name = form.format(other=fuzz_target.other_container)
        for value in (name, f"{base}/{name}"):
            status, body = await _post(
                fuzz_target, json.dumps({"blob": value}).encode(), {"Content-Type": "application/json"}
            )
            error = _check(status, body)
            assert status == 400 and error and error["code"] == "InvalidBlobName", (value, status, body)


@settings(FUZZ, max_examples=800)
@given(segments=st.lists(SEGMENTS | st.text(max_size=6), min_size=1, max_size=6), as_url=st.booleans())
async def test_fuzz_blob_names_never_leave_the_audio_container(
    fuzz_target: FuzzTarget, segments: list[str], as_url: bool
) -> None:
    name = "/".join(segments)
    base = f"{fuzz_target.app.storage.url.rstrip('/')}/{fuzz_target.app.containers.audio}"
    value = f"{base}/{name}" if as_url else name
    status, body = await _post(
        fuzz_target, json.dumps({"blob": value}).encode(), {"Content-Type": "application/json"}
    )
    error = _check(status, body)
    if status == 200:
        assert name == "ok.wav"
    if _escapes(name if not as_url else unquote(name)) and name.strip():
        codes = ("InvalidBlobName", "InvalidRequest") if as_url else ("InvalidBlobName",)  # a URL with "?"
        assert status == 400 and error and error["code"] in codes, (value, status, body)


@settings(FUZZ, max_examples=600)
@given(
    content_type=st.sampled_from(
        ["application/json", "audio/wav", "application/octet-stream", "text/plain", "", "multipart/form-data"]
    )
    | st.text(max_size=40),
    body=st.binary(max_size=2048),
    query=st.lists(
        st.tuples(st.sampled_from(OPTION_NAMES) | st.text(max_size=8), st.text(max_size=12)), max_size=4
    ),
)
async def test_fuzz_any_body_and_content_type_gets_a_clean_answer(
    fuzz_target: FuzzTarget, content_type: str, body: bytes, query: list[tuple[str, str]]
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, text = await _post(fuzz_target, body, headers, urlencode(query))
    _check(status, text)


@FUZZ
@given(
    document=JSON_VALUES, depth=st.integers(0, 3000), blob=st.sampled_from(["ok.wav", "missing.wav", None])
)
async def test_fuzz_json_documents_of_any_shape_and_depth_get_a_clean_answer(
    fuzz_target: FuzzTarget, document: Any, depth: int, blob: str | None
) -> None:
    if isinstance(document, dict) and blob is not None and depth % 2:
        document = {**document, "blob": blob}
    raw = json.dumps(document)
    if depth > 1:
        raw = "[" * depth + raw + "]" * depth
    status, text = await _post(fuzz_target, raw.encode(), {"Content-Type": "application/json"})
    error = _check(status, text)
    if depth > 16:
        assert error and error["code"] == "JsonTooDeep"


@st.composite
def multipart_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    boundary = draw(st.sampled_from(["b0undary", "----x", "a" * 70]))
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        name = draw(st.sampled_from([*OPTION_NAMES, "audio", "file", ""]) | st.text(max_size=8))
        filename = draw(st.sampled_from(["", '; filename="a.wav"']))
        size = draw(st.sampled_from([0, 10, 70_000]))
        value = draw(st.binary(min_size=min(size, 10), max_size=size)) if size < 70_000 else b"x" * size
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n'.encode(
            "utf-8", "replace"
        )
        parts.append(header + value + b"\r\n")
    ending = draw(st.sampled_from([f"--{boundary}--\r\n".encode(), b"", b"--garbage"]))
    declared = draw(st.sampled_from([boundary, "", "other"]))
    content_type = f"multipart/form-data; boundary={declared}" if declared else "multipart/form-data"
    return b"".join(parts) + ending, content_type


@settings(FUZZ, max_examples=400)
@given(multipart=multipart_bodies())
async def test_fuzz_multipart_bodies_with_many_or_large_parts_get_a_clean_answer(
    fuzz_target: FuzzTarget, multipart: tuple[bytes, str]
) -> None:
    body, content_type = multipart
    status, text = await _post(fuzz_target, body, {"Content-Type": content_type})
    _check(status, text)


async def test_fuzz_invalid_configuration_is_the_one_500_and_it_shows_no_value(
    fuzz_target: FuzzTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "AccountKey=c2VjcmV0LWtleS12YWx1ZQ=="
    monkeypatch.setenv("AudioStorage__blobServiceUri", f"DefaultEndpointsProtocol=https;{secret}")
    await fuzz_target.app.restart()
    status, body = await _post(fuzz_target, b"RIFF....WAVE", {"Content-Type": "audio/wav"})
    assert status == 500 and "c2VjcmV0" not in body and "AccountKey" not in body
    error = json.loads(body)["error"]
    assert error["code"] == "InvalidConfiguration" and "AudioStorage__blobServiceUri" in error["message"]
