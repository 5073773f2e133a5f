"""POST /api/transcribe and GET /api/health, sent through the host to Microsoft's runtime."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pysrt
import pytest
import webvtt

from tests.fixtures.functions import AppUnderTest as Deployed

NOISE = bytes([0x5A, 0x17]) + random.Random(5).randbytes(4096)  # starts like no audio format


def error_of(response) -> dict[str, str]:
    body = json.loads(response.get_body())
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


def multipart(audio: bytes, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----transcriber-test"
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="clip.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n".encode()
        + audio
        + b"\r\n"
    )
    return b"".join(chunks) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def test_http_raw_body_returns_service_shaped_json(deployed: Deployed, corpus: Path) -> None:
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 200 and response.mimetype == "application/json"
    result = json.loads(response.get_body())
    assert set(result) >= {"durationMilliseconds", "combinedPhrases", "phrases"}
    assert "10 of clubs" in result["combinedPhrases"][0]["text"].lower()
    assert result["phrases"][0]["locale"] == "en-US"


async def test_http_multipart_file_with_options_in_fields(deployed: Deployed, corpus: Path) -> None:
    body, content_type = multipart(
        (corpus / "stereo_diarization.wav").read_bytes(),
        {"channels": "0,1", "format": "text", "locale": "en-US"},
    )
    response = await deployed.post(body, content_type)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_body().decode()
    assert "Channel 0: " in text and "Channel 1: " in text


async def test_http_json_blob_reference_transcribes_stored_blob(deployed: Deployed, corpus: Path) -> None:
    deployed.upload("folder/stored clip.wav", (corpus / "cards-003.wav").read_bytes())
    response = await deployed.post(
        json.dumps({"blob": "folder/stored clip.wav", "format": "json"}).encode(),
        "application/json",
    )
    assert response.status_code == 200
    assert "7 of clubs" in json.loads(response.get_body())["combinedPhrases"][0]["text"].lower()


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("json", "application/json"),
        ("text", "text/plain"),
        ("srt", "application/x-subrip"),
        ("vtt", "text/vtt"),
    ],
)
async def test_http_each_format_has_its_content_type(
    deployed: Deployed, corpus: Path, fmt: str, mimetype: str
) -> None:
    response = await deployed.post((corpus / "cards-002.wav").read_bytes(), "audio/wav", f"format={fmt}")
    assert response.status_code == 200 and response.mimetype == mimetype and response.charset == "utf-8"
    body = response.get_body().decode()
    if fmt == "srt":
        assert len(pysrt.from_string(body)) >= 1
    elif fmt == "vtt":
        assert len(webvtt.from_buffer(io.StringIO(body)).captions) >= 1
    elif fmt == "text":
        assert "clubs" in body.lower()


async def test_http_options_reach_the_service_definition(deployed: Deployed, corpus: Path) -> None:
    query = "locale=en-US&diarization=2&profanity=Removed&phrases=Kennedy,inaugural"
    response = await deployed.post((corpus / "jfk.flac").read_bytes(), "audio/flac", query)
    assert response.status_code == 200
    definition = deployed.speech.requests()[-1].definition
    # "enabled": true is what makes the live service label speakers (SDK recordings; SDK issue 44436).
    assert definition["locales"] == ["en-US"] and definition["diarization"] == {
        "enabled": True,
        "maxSpeakers": 2,
    }
    assert definition["profanityFilterMode"] == "Removed"
    assert definition["phraseList"]["phrases"] == ["Kennedy", "inaugural"]
    assert all("speaker" in phrase for phrase in json.loads(response.get_body())["phrases"])


@pytest.mark.parametrize(
    ("body", "content_type", "query", "status", "code"),
    [
        (b"{broken", "application/json", "", 400, "InvalidRequest"),
        (b'{"blob": "a.wav", "unknown": 1}', "application/json", "", 400, "InvalidRequest"),
        (b"RIFF", "audio/wav", "diarization=1", 400, "InvalidRequest"),
        (b"RIFF", "audio/wav", "format=pdf", 400, "InvalidRequest"),
        (b"", "audio/wav", "", 400, "NoAudio"),
        (b'{"blob": "https://elsewhere.example.com/x.wav"}', "application/json", "", 400, "InvalidRequest"),
        (b'{"blob": "missing.wav"}', "application/json", "", 404, "BlobNotFound"),
        (b"hello, this is text", "text/plain", "", 415, "UnsupportedMediaType"),
        (b"hello, this is text", "audio/wav", "", 415, "UnsupportedMediaType"),
        (NOISE, "audio/wav", "", 415, "UnsupportedMediaType"),  # random bytes named .wav: no Speech call
        (b"PK\x03\x04\x14\x00\x00\x00" + NOISE, "audio/wav", "", 415, "UnsupportedMediaType"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200)), "audio/wav", "", 422, "InvalidAudioFormat"),
    ],
)
async def test_http_bad_requests_get_specific_status_and_error_body(
    deployed: Deployed, body: bytes, content_type: str, query: str, status: int, code: str
) -> None:
    response = await deployed.post(body, content_type, query)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert error_of(response)["code"] == code
    if status == 415:
        assert deployed.speech.requests() == []


async def test_http_locale_the_service_cannot_do_is_422(deployed: Deployed, corpus: Path) -> None:
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav", "locale=xx-XX")
    assert response.status_code == 422 and error_of(response)["code"] == "InvalidLocale"


async def test_http_over_size_limit_is_413(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "1000")
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 413 and error_of(response)["code"] == "AudioTooLarge"
    assert deployed.speech.requests() == []


@pytest.mark.parametrize(("fault", "status"), [(429, 429), (503, 503)])
async def test_http_throttling_is_passed_on_with_retry_after(
    deployed: Deployed, corpus: Path, fault: int, status: int
) -> None:
    deployed.speech.fail(fault, count=4, retry_after=0.05)
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == status
    assert "Retry-After" in response.headers
    assert error_of(response)["code"]


async def test_http_service_failure_is_502(deployed: Deployed, corpus: Path) -> None:
    deployed.speech.fail(500, count=4)
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 502
    error = error_of(response)
    assert "Traceback" not in error["message"] and deployed.speech.key not in error["message"]


async def test_http_bad_configuration_is_500_naming_the_setting(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTPUT_FORMATS", "docx")
    from transcriber.services import reset_service

    await reset_service()
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 500 and "OUTPUT_FORMATS" in error_of(response)["message"]


async def test_http_option_clashing_with_default_setting_is_400(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_CHANNELS", "0,1")
    await deployed.restart()
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav", "diarization=2")
    assert response.status_code == 400 and "diarization" in error_of(response)["message"]
    assert deployed.speech.requests() == []


async def test_http_translation_renders_in_the_target_language(deployed: Deployed, corpus: Path) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    query = "task=translate&target_language=ko&prompt=Keep it short, please"
    response = await deployed.post(audio, "audio/wav", query)
    assert response.status_code == 200
    result = json.loads(response.get_body())
    assert {p["locale"] for p in result["phrases"]} == {"ko-KR"}
    definition = deployed.speech.requests()[-1].definition
    assert definition["enhancedMode"] == {
        "enabled": True,
        "task": "translate",
        "targetLanguage": "ko",
        "prompt": ["Keep it short, please"],
    }
    srt = (await deployed.post(audio, "audio/wav", query + "&format=srt")).get_body().decode()
    subs = pysrt.from_string(srt)
    assert subs and subs[0].start.ordinal == 0 and subs[-1].end.ordinal >= 1000  # not the placeholder 1-11 ms
    vtt = (await deployed.post(audio, "audio/wav", query + "&format=vtt")).get_body().decode()
    assert webvtt.from_buffer(io.StringIO(vtt)).captions[-1].end_in_seconds >= 1.0
    text = (await deployed.post(audio, "audio/wav", query + "&format=text")).get_body().decode()
    assert text.strip() == result["combinedPhrases"][0]["text"]


async def test_http_mai_transcribe_options_reach_the_service(deployed: Deployed, corpus: Path) -> None:
    body, content_type = multipart(
        (corpus / "cards-001.wav").read_bytes(),
        {
            "model": "MAI-Transcribe-2",
            "timestamps": "word",
            "style": "clean",
            "phrases": "clubs",
            "biasing_weight": "1.5",
        },
    )
    response = await deployed.post(body, content_type)
    assert response.status_code == 200, response.get_body()
    definition = deployed.speech.requests()[-1].definition
    assert definition["enhancedMode"] == {
        "enabled": True,
        "model": "MAI-Transcribe-2",
        "modelOptions": {"timestamps": "word", "transcribeStyle": "clean"},
    }
    assert definition["phraseList"] == {"phrases": ["clubs"], "biasingWeight": 1.5}
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    "query",
    [
        "task=summarize",
        "task=translate",
        "target_language=ko",
        "task=translate&target_language=k_o",
        "model=whisper",
        "timestamps=word",
        "model=MAI-Transcribe-2&timestamps=sentence",
        "model=MAI-Transcribe-2&style=fancy",
        "prompt=hello",
        "phrases=a&biasing_weight=3",
        "phrases=a&biasing_weight=heavy",
        "biasing_weight=1",
    ],
)
async def test_http_bad_enhanced_options_are_400(deployed: Deployed, corpus: Path, query: str) -> None:
    response = await deployed.post((corpus / "cards-001.wav").read_bytes(), "audio/wav", query)
    assert response.status_code == 400
    assert error_of(response)["code"] == "InvalidRequest"
    assert not deployed.speech.requests()


async def test_http_json_body_takes_enhanced_options(deployed: Deployed, corpus: Path) -> None:
    deployed.upload("clip.wav", (corpus / "cards-001.wav").read_bytes())
    document = {"blob": "clip.wav", "task": "transcribe", "prompt": ["Cards, a game", "Be exact"]}
    response = await deployed.post(json.dumps(document).encode(), "application/json")
    assert response.status_code == 200
    enhanced = deployed.speech.requests()[-1].definition["enhancedMode"]
    assert enhanced == {"enabled": True, "task": "transcribe", "prompt": ["Cards, a game", "Be exact"]}
    assert response.mimetype == "application/json"
