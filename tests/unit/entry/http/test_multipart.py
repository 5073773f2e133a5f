"""Multipart bodies through the HTTP parsing code: every malformed boundary or part header is a 400
with a code of its own, never an unhandled exception (issue #24: 28 of 2,400 fuzzed requests were
the host's bare 500), and the audio part is a view into the body, never a copy."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcriber.domain.errors import InvalidRequestError
from transcriber.entry.http.edge import error_reply
from transcriber.entry.http.request import parse_request

BASE = "http://127.0.0.1:10000/devstoreaccount1/audio-in"
URL = "https://app.azurewebsites.net/api/transcribe"
# RFC 2046 section 5.1.1: bcharsnospace, and the space (never last)
BCHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? "
BOUNDARY_CODES = ("MultipartBoundaryInvalid", "MultipartBoundaryMissing")
HEADER_CODES = ("MultipartHeaderInvalid", "MultipartDispositionInvalid")
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt "


def outcome(content_type: str, body: bytes) -> str:
    """ "ok", or the refusal's code; any other exception fails the test (it would be a bare 500)."""
    try:
        parse_request(URL, {"Content-Type": content_type}, body, max_bytes=10**9, blob_base_url=BASE)
    except InvalidRequestError as refused:
        assert error_reply(refused).status == 400
        return refused.code
    return "ok"


def form(boundary: bytes, header: bytes | None = b'Content-Disposition: form-data; name="audio"') -> bytes:
    """One audio part; `header` None: a part with no header at all."""
    lines = b"" if header is None else header + b"\r\n"
    return b"--" + boundary + b"\r\n" + lines + b"\r\n" + AUDIO + b"\r\n--" + boundary + b"--\r\n"


def content_type(boundary: str) -> str:
    return f'multipart/form-data; boundary="{boundary}"'


_valid_boundaries = st.text(alphabet=BCHARS, min_size=1, max_size=70).filter(lambda b: not b.endswith(" "))


@settings(max_examples=200, deadline=None)
@given(_valid_boundaries)
def test_every_rfc_2046_boundary_is_accepted(boundary: str) -> None:
    assert outcome(content_type(boundary), form(boundary.encode("ascii"))) == "ok"


# Characters a quoted parameter can carry as they are: no quote, backslash, semicolon or control.
_quotable = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters='"\\;')
_invalid_boundaries = st.one_of(
    st.text(alphabet=BCHARS, min_size=71, max_size=300).filter(lambda b: b.strip() == b),  # over 70
    st.just("a" * 257),  # over python-multipart's own 256, which raised its FormParserError
    st.text(_quotable, min_size=1, max_size=40).filter(  # outside bchars, non-Latin-1 among them
        lambda b: b.strip() == b and any(c not in BCHARS for c in b)
    ),
    st.text(alphabet=BCHARS, min_size=1, max_size=60).map(lambda b: "x" + b.strip() + " "),  # ends in a space
    st.text(_quotable, min_size=1, max_size=20)  # UTF-8 read as Latin-1, as a confused client sends it
    .filter(lambda b: not b.isascii())
    .map(lambda b: b.encode("utf-8").decode("latin-1")),
)


@settings(max_examples=300, deadline=None)
@given(_invalid_boundaries, st.sampled_from(["utf-8", "latin-1"]))
def test_a_boundary_outside_rfc_2046_is_a_400_naming_the_boundary(boundary: str, encoding: str) -> None:
    body = form(boundary.encode(encoding, "replace"))
    assert outcome(content_type(boundary), body) == "MultipartBoundaryInvalid"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=300), _invalid_boundaries, _valid_boundaries, st.just("")),
    st.sampled_from(["utf-8", "latin-1", "utf-16"]),
    st.booleans(),
    st.binary(max_size=256),
)
def test_any_boundary_in_any_encoding_is_parsed_or_a_400(
    boundary: str, encoding: str, quoted: bool, noise: bytes
) -> None:
    """Unquoted and quoted, the body in another encoding than the header, or noise instead."""
    header = (
        f'multipart/form-data; boundary="{boundary}"'
        if quoted
        else f"multipart/form-data; boundary={boundary}"
    )
    for body in (form(boundary.encode(encoding, "replace")), noise):
        code = outcome(header, body)
        assert code in ("ok", "NoAudio", "MalformedMultipart", "MultipartHeaderInvalid", *BOUNDARY_CODES)


_header_names = st.text(min_size=1, max_size=20).filter(
    lambda n: ":" not in n and "\r" not in n and "\n" not in n
)
_header_lines = st.one_of(
    st.text(max_size=60).map(lambda v: b"Content-Disposition: " + v.encode("utf-8")),  # garbled, non-ASCII
    st.binary(max_size=60).map(lambda v: b"Content-Disposition: " + v),  # any bytes, not UTF-8 among them
    st.tuples(_header_names, st.text(max_size=20)).map(lambda h: f"{h[0]}: {h[1]}".encode()),  # any name
    st.text(max_size=40).map(
        lambda f: f'Content-Disposition: form-data; name="audio"; filename="{f}"'.encode()
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_header_lines, max_size=3).map(lambda lines: b"\r\n".join(lines) or None))
def test_any_part_header_is_parsed_or_a_400(header: bytes | None) -> None:
    """What a part's headers may hold refuses with a code of its own, or parses; never an exception."""
    header = None if header is not None and b"\r\n\r\n" in header else header
    code = outcome(content_type("b0undary"), form(b"b0undary", header))
    assert code in ("ok", "NoAudio", "InvalidRequest", "MalformedMultipart", *HEADER_CODES), code


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "MultipartDispositionInvalid"),  # no header at all
        (b"X-Note: hi", "MultipartDispositionInvalid"),  # no Content-Disposition
        (b'Content-Disposition: attachment; name="audio"', "MultipartDispositionInvalid"),
        (b"Content-Disposition: form-data", "MultipartDispositionInvalid"),  # no name
        (b'Content-Disposition: form-data; filename="a.wav"', "MultipartDispositionInvalid"),
        (b'Content-Disposition: form-data; name="audio"; filename="\xff.wav"', "MultipartHeaderInvalid"),
        (b'Content-Disposition: form-data; name="\xe9"', "MultipartHeaderInvalid"),  # Latin-1, not UTF-8
        (b'\xc3\x9cber: x\r\nContent-Disposition: form-data; name="audio"', "MultipartHeaderInvalid"),
        (b'Content-Disposition form-data; name="audio"', "MultipartHeaderInvalid"),  # no colon
        (b'Content-Disposition: form-data; name="audio"; filename="M\xc3\xbcller.wav"', "ok"),  # UTF-8
    ],
)
def test_each_malformed_part_header_has_its_code(header: bytes | None, code: str) -> None:
    assert outcome(content_type("b"), form(b"b", header)) == code


def test_a_body_cut_before_its_closing_boundary_is_malformed() -> None:
    body = form(b"b").removesuffix(b"\r\n--b--\r\n")
    assert outcome(content_type("b"), body) == "MalformedMultipart"


@pytest.mark.parametrize(
    ("header", "body", "code"),
    [
        ("multipart/form-data", form(b"b"), "MultipartBoundaryMissing"),
        (content_type("a" * 71), form(b"a" * 71), "MultipartBoundaryInvalid"),
        (content_type("a" * 257), form(b"a" * 257), "MultipartBoundaryInvalid"),
        (content_type("b\u20ac"), form("b\u20ac".encode()), "MultipartBoundaryInvalid"),  # not Latin-1
        (content_type("b"), form(b"b", b"X-Note: hi"), "MultipartDispositionInvalid"),
        (
            content_type("b"),
            form(b"b", b'Content-Disposition: form-data; name="\xff"'),
            "MultipartHeaderInvalid",
        ),
        (content_type("b"), b"--b\r\n", "MalformedMultipart"),
    ],
)
async def test_through_the_transcribe_route_each_is_a_400_with_its_code(
    monkeypatch: pytest.MonkeyPatch, header: str, body: bytes, code: str
) -> None:
    from transcriber.domain.invocation import Invocation
    from transcriber.entry.http.transcribe import handle_transcribe
    from transcriber.services import reset_service

    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", "https://contoso.cognitiveservices.azure.com")
    monkeypatch.setenv("AudioStorage", "UseDevelopmentStorage=true")
    monkeypatch.delenv("APPLICATIONINSIGHTS_CONNECTION_STRING", raising=False)
    await reset_service()
    try:
        reply = await handle_transcribe(URL, {"Content-Type": header}, body, Invocation("transcribe"))
    finally:
        await reset_service()
    assert reply.status == 400 and json.loads(reply.body)["error"]["code"] == code


def _peak_while(parse: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = parse()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_audio_part_is_a_view_into_the_body_not_a_copy() -> None:
    audio = AUDIO + bytes(32 * 1024 * 1024)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="locale"\r\n\r\nen-US\r\n'
        b'--b\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\n'
        + audio
        + b"\r\n--b--\r\n"
    )
    request, peak = _peak_while(
        lambda: parse_request(
            URL, {"Content-Type": content_type("b")}, body, max_bytes=10**9, blob_base_url=BASE
        )
    )
    assert isinstance(request.audio, memoryview) and request.audio.obj is body
    assert request.audio == audio and request.options.locales == ("en-US",)
    assert peak < 1024 * 1024, f"{peak} bytes allocated parsing a {len(audio)}-byte audio part"
