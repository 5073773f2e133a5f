"""Parsing HTTP input: raw, multipart and JSON forms, options, and the 4xx errors."""

from __future__ import annotations

import json

import pytest

from transcriber.domain.errors import (
    AudioTooLargeError,
    InvalidRequestError,
    NoAudioError,
    UnsupportedMediaError,
)
from transcriber.entry.http.request import parse_request

BASE = "http://127.0.0.1:10000/devstoreaccount1/audio-in"
URL = "https://app.azurewebsites.net/api/transcribe"


def parse(body: bytes, content_type: str | None, query: str = "", max_bytes: int = 10_000):
    headers = {"Content-Type": content_type} if content_type else {}
    return parse_request(f"{URL}?{query}", headers, body, max_bytes=max_bytes, blob_base_url=BASE)


def multipart(
    fields: dict[str, str], audio: bytes | None, filename: str | None = "a.wav"
) -> tuple[bytes, str]:
    boundary = "XyZ123"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    if audio is not None:
        disposition = (
            f'form-data; name="audio"; filename="{filename}"' if filename else 'form-data; name="audio"'
        )
        parts.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: audio/wav\r\n\r\n".encode()
            + audio
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_parse_raw_body_with_query_options() -> None:
    request = parse(
        b"RIFF....WAVE",
        "audio/wav",
        "locale=en-US&locale=de-DE&diarization=3&profanity=removed&format=srt&code=key",
    )
    assert request.audio == b"RIFF....WAVE" and request.blob is None
    assert request.options.locales == ("en-US", "de-DE")
    assert request.options.max_speakers == 3 and request.options.profanity == "Removed"
    assert request.response_format == "srt"


def test_parse_octet_stream_and_missing_content_type_are_raw_audio() -> None:
    assert parse(b"\x00\x01", "application/octet-stream").audio == b"\x00\x01"
    assert parse(b"\x00\x01", None).audio == b"\x00\x01"


def test_parse_multipart_file_and_fields() -> None:
    body, content_type = multipart(
        {"locale": "en-GB", "channels": "0,1", "phrases": "Contoso, Fabrikam", "format": "vtt"}, b"fLaC123"
    )
    request = parse(body, content_type)
    assert request.audio == b"fLaC123"
    assert request.options.locales == ("en-GB",) and request.options.channels == (0, 1)
    assert request.options.phrases == ("Contoso", "Fabrikam") and request.response_format == "vtt"


def test_parse_multipart_audio_field_without_filename_accepted() -> None:
    body, content_type = multipart({}, b"OggS", filename=None)
    assert parse(body, content_type).audio == b"OggS"


def test_parse_json_blob_reference_with_options() -> None:
    body = json.dumps(
        {
            "blob": "folder/meeting.wav",
            "locales": ["en-US"],
            "diarization": 2,
            "phrases": ["Contoso, Inc."],
            "format": "text",
        }
    )
    request = parse(body.encode(), "application/json")
    assert request.blob == "folder/meeting.wav" and request.audio is None
    assert request.options.max_speakers == 2 and request.options.phrases == ("Contoso, Inc.",)
    assert request.response_format == "text"


def test_parse_json_blob_url_inside_audio_container_accepted() -> None:
    request = parse(json.dumps({"blob": f"{BASE}/a%20b.wav"}).encode(), "application/json")
    assert request.blob == "a b.wav"


@pytest.mark.parametrize(
    "blob",
    [
        "https://evil.example.com/a.wav",
        "http://127.0.0.1:10000/devstoreaccount1/other/a.wav",
        f"{BASE}/a.wav?sig=x",
        "",
        5,
    ],
)
def test_parse_json_blob_outside_configured_container_refused(blob: object) -> None:
    with pytest.raises(InvalidRequestError):
        parse(json.dumps({"blob": blob}).encode(), "application/json")


@pytest.mark.parametrize(
    ("body", "content_type", "query", "error", "fragment"),
    [
        (b"{not json", "application/json", "", InvalidRequestError, "JSON"),
        (b"[1]", "application/json", "", InvalidRequestError, "object"),
        (b'{"blob": "a.wav", "colour": "red"}', "application/json", "", InvalidRequestError, "colour"),
        (b'{"locale": "en-US"}', "application/json", "", NoAudioError, "no audio"),
        (b"", "audio/wav", "", NoAudioError, "no audio"),
        (b"hello", "text/plain", "", UnsupportedMediaError, "text/plain"),
        (b"RIFF", "audio/wav", "diarization=many", InvalidRequestError, "diarization"),
        (b"RIFF", "audio/wav", "channels=3", InvalidRequestError, "channels"),
        (b"RIFF", "audio/wav", "diarization=2&channels=0,1", InvalidRequestError, "diarization"),
        (b"RIFF", "audio/wav", "profanity=sometimes", InvalidRequestError, "profanity"),
        (b"RIFF", "audio/wav", "format=docx", InvalidRequestError, "format"),
        (b"RIFF", "audio/wav", "locale=not_a_locale", InvalidRequestError, "locale"),
        (b"RIFF", "audio/wav", "diarization=2&diarization=3", InvalidRequestError, "more than once"),
        (b"x" * 20_000, "audio/wav", "", AudioTooLargeError, "upload the file to the 'audio-in' container"),
        (b"RIFF", "audio/wav", "fromat=srt", InvalidRequestError, "'fromat' (did you mean 'format'?)"),
        (b"RIFF", "audio/wav", "a=1&locale=en-US&b=2", InvalidRequestError, "query parameters 'a', 'b'"),
        (b'{"blob": "a.wav", "lcoale": "de-DE"}', "application/json", "", InvalidRequestError, "'lcoale'"),
    ],
)
def test_parse_bad_input_raises_specific_error(
    body: bytes, content_type: str, query: str, error: type, fragment: str
) -> None:
    with pytest.raises(error) as caught:
        parse(body, content_type, query)
    assert fragment in caught.value.message


def test_parse_multipart_two_files_refused() -> None:
    body, content_type = multipart({}, b"RIFF")
    body = body.replace(b"--XyZ123--\r\n", b"") + (
        b'--XyZ123\r\nContent-Disposition: form-data; name="file"; filename="b.wav"\r\n\r\nRIFF\r\n--XyZ123--\r\n'
    )
    with pytest.raises(InvalidRequestError, match="one audio file"):
        parse(body, content_type)


def test_parse_enhanced_options_from_query_multipart_and_json() -> None:

    base = "https://app/api/transcribe"
    audio = b"RIFF...."
    query = parse_request(
        f"{base}?task=translate&target_language=ko&prompt=One%2C%20two&prompt=Three",
        {"Content-Type": "audio/wav"},
        audio,
        max_bytes=1 << 20,
        blob_base_url="https://acct.blob.core.windows.net/audio-in",
    ).options
    assert (query.task, query.target_language, query.prompt) == ("translate", "ko", ("One, two", "Three"))
    boundary = "b"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nMAI-Transcribe-2\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="timestamps"\r\n\r\nnone\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="phrases"\r\n\r\nContoso\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="biasing_weight"\r\n\r\n0.7\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF....\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    multipart = parse_request(
        base,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        form,
        max_bytes=1 << 20,
        blob_base_url="https://acct.blob.core.windows.net/audio-in",
    ).options
    assert (multipart.model, multipart.timestamps, multipart.biasing_weight) == (
        "MAI-Transcribe-2",
        "none",
        0.7,
    )
    document = {"blob": "a.wav", "model": "MAI-Transcribe-2", "style": "clean", "prompt": ["x"]}
    parsed = parse_request(
        base,
        {"Content-Type": "application/json"},
        json.dumps(document).encode(),
        max_bytes=1 << 20,
        blob_base_url="https://acct.blob.core.windows.net/audio-in",
    ).options
    assert (parsed.style, parsed.prompt) == ("clean", ("x",))


@pytest.mark.parametrize(
    "query", ["task=dictate", "model=x", "biasing_weight=1", "task=transcribe&task=translate"]
)
def test_parse_bad_enhanced_options_are_invalid_requests(query: str) -> None:

    with pytest.raises(InvalidRequestError):
        parse_request(
            f"https://app/api/transcribe?{query}",
            {"Content-Type": "audio/wav"},
            b"RIFF....",
            max_bytes=1 << 20,
            blob_base_url="https://acct.blob.core.windows.net/audio-in",
        )


def test_parse_function_key_in_query_is_not_an_option() -> None:
    assert parse(b"RIFF", "audio/wav", "code=secret-key&format=srt").response_format == "srt"


def test_parse_multipart_unknown_field_named() -> None:
    body, content_type = multipart({"formt": "srt"}, b"RIFF")
    with pytest.raises(InvalidRequestError) as caught:
        parse(body, content_type)
    assert "'formt' (did you mean 'format'?)" in caught.value.message


def test_parse_json_unknown_field_gets_a_guess_and_the_full_list_with_blob() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse(b'{"blobb": "jfk.wav"}', "application/json")
    message = caught.value.message
    assert "'blobb' (did you mean 'blob'?)" in message
    assert "expected one of blob, locale," in message


def test_parse_unknown_field_of_a_route_lists_the_routes_own_fields_too() -> None:
    url = "https://app.azurewebsites.net/api/transcriptions"
    route_fields = ("fileName", "keepAudio", "callbackUrl")
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(
            url,
            {"Content-Type": "application/json"},
            b'{"blob": "a.wav", "callbackURL": "https://hooks.example/x"}',
            max_bytes=10_000,
            blob_base_url=BASE,
            route_fields=route_fields,
        )
    message = caught.value.message
    assert "'callbackURL' (did you mean 'callbackUrl'?)" in message
    assert all(name in message.split("expected one of ")[1] for name in ("blob", *route_fields))


def test_parse_query_guess_ignores_case_and_never_offers_blob() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse(b"RIFF", "audio/wav", "FORMAT=srt&blob=a.wav")
    message = caught.value.message
    assert "'FORMAT' (did you mean 'format'?)" in message and "'blob';" in message
    assert "blob" not in message.split("expected one of ")[1]  # a blob is named in a JSON body only


@pytest.mark.parametrize(
    ("disposition", "file_name"),
    [
        ('attachment; filename="Board meeting (2).wav"', "Board meeting (2).wav"),
        ("attachment; filename*=UTF-8''R%C3%A9union.m4a", "Réunion.m4a"),
        ("inline", None),
    ],
)
def test_parse_raw_body_takes_its_file_name_from_content_disposition(
    disposition: str, file_name: str | None
) -> None:
    headers = {"Content-Type": "audio/wav", "Content-Disposition": disposition}
    request = parse_request(URL, headers, b"RIFF", max_bytes=10_000, blob_base_url=BASE)
    assert request.file_name == file_name
