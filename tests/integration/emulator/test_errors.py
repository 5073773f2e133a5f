"""Every refusal the emulator imitates: status, flat error body, and what the SDK raises."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import (
    PhraseListProperties,
    TranscriptionContent,
    TranscriptionDiarizationOptions,
    TranscriptionOptions,
)
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.conftest import wav

PATH = "/speechtotext/transcriptions:transcribe"


def refusal(
    client: TranscriptionClient, content: TranscriptionContent
) -> tuple[HttpResponseError, dict[str, Any]]:
    with pytest.raises(HttpResponseError) as caught:
        client.transcribe(content)
    return caught.value, caught.value.response.json()


def post(emulator: RunningEmulator, **kwargs: Any) -> httpx.Response:
    params = kwargs.pop("params", {"api-version": "2025-10-15"})
    headers = {"Ocp-Apim-Subscription-Key": emulator.key, **kwargs.pop("headers", {})}
    return httpx.post(emulator.endpoint + PATH, params=params, headers=headers, **kwargs)


def test_errors_body_is_flat_with_inner_error_and_azure_core_reads_its_code(
    echo_client: TranscriptionClient,
) -> None:
    options = TranscriptionOptions(locales=["xx-XX"])
    error, body = refusal(echo_client, TranscriptionContent(definition=options, audio=b"x"))
    assert error.status_code == 400 and error.error is not None and error.error.code == "InvalidArgument"
    assert body["code"] == "InvalidArgument" and body["innerError"]["code"] == "InvalidLocale"
    assert body["message"] == body["innerError"]["message"] == "The specified locale is not supported."
    headers = error.response.headers
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["apim-request-id"] and headers["x-ms-region"] == "East US"
    assert (
        headers["X-Content-Type-Options"] == "nosniff" and "max-age=" in headers["Strict-Transport-Security"]
    )


def test_errors_corrupt_audio_is_422_invalid_audio_format(
    client: TranscriptionClient, speech: RunningEmulator
) -> None:
    corrupt = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200))
    error, body = refusal(client, TranscriptionContent(audio=corrupt))
    assert (error.status_code, body["code"], body["innerError"]["code"]) == (
        422,
        "UnprocessableEntity",
        "InvalidAudioFormat",
    )
    assert speech.requests()[0].error_code == "InvalidAudioFormat"


@pytest.mark.parametrize("audio", [b"%PDF-1.7\n1 0 obj", b"utf-8 text is not audio either"])
def test_errors_non_audio_is_422_invalid_audio_format(client: TranscriptionClient, audio: bytes) -> None:
    error, body = refusal(client, TranscriptionContent(audio=audio))
    assert error.status_code == 422 and body["innerError"]["code"] == "InvalidAudioFormat"


def test_errors_empty_audio_part_is_422_empty_audio_file(
    client: TranscriptionClient, speech: RunningEmulator
) -> None:
    error, body = refusal(client, TranscriptionContent(audio=io.BytesIO(b"")))
    assert (error.status_code, body["innerError"]["code"]) == (422, "EmptyAudioFile")
    assert speech.requests()[0].audio_bytes == 0


def test_errors_wav_without_samples_is_422_empty_audio_file(client: TranscriptionClient) -> None:
    error, body = refusal(client, TranscriptionContent(audio=wav(np.zeros(0))))
    assert (error.status_code, body["innerError"]["code"]) == (422, "EmptyAudioFile")


def test_errors_over_max_bytes_is_413(speech_emulator_factory: Any, cards: bytes) -> None:
    small = speech_emulator_factory(engine="echo", max_bytes=1000)
    with TranscriptionClient(small.endpoint, AzureKeyCredential(small.key)) as client:
        error, body = refusal(client, TranscriptionContent(audio=cards))
    assert (error.status_code, body["innerError"]["code"]) == (413, "AudioSizeLimitExceeded")
    assert small.requests()[0].status == 413 and small.requests()[0].audio_bytes is None


def test_errors_over_max_seconds_is_400_audio_length_limit_exceeded(
    speech_emulator_factory: Any, cards: bytes
) -> None:
    short = speech_emulator_factory(max_seconds=1.0)
    with TranscriptionClient(short.endpoint, AzureKeyCredential(short.key)) as client:
        error, body = refusal(client, TranscriptionContent(audio=cards))
    assert (error.status_code, body["innerError"]["code"]) == (400, "AudioLengthLimitExceeded")


@pytest.mark.parametrize(
    ("options", "inner"),
    [
        (TranscriptionOptions(locales=["de-DE", "xx-XX"]), "InvalidLocale"),
        (TranscriptionOptions(active_channels=[2]), "InvalidChannelSpecification"),
        (TranscriptionOptions(active_channels=[0, 0]), "InvalidChannelSpecification"),
        (TranscriptionOptions(active_channels=[0, 1, 1]), "InvalidChannelSpecification"),
        (TranscriptionOptions({"channels": ["0"]}), "InvalidChannelSpecification"),
        (
            TranscriptionOptions(
                active_channels=[0, 1], diarization_options=TranscriptionDiarizationOptions(max_speakers=2)
            ),
            "BadChannelConfiguration",
        ),
        (
            TranscriptionOptions(diarization_options=TranscriptionDiarizationOptions(max_speakers=1)),
            "InvalidParameterValue",
        ),
        (
            TranscriptionOptions(diarization_options=TranscriptionDiarizationOptions(max_speakers=36)),
            "InvalidParameterValue",
        ),
        (
            TranscriptionOptions(phrase_list=PhraseListProperties(phrases=[f"p{i}" for i in range(501)])),
            "InvalidParameterValue",
        ),
        (TranscriptionOptions(profanity_filter_mode="Loud"), "InvalidParameterValue"),
        (TranscriptionOptions({"audioUrl": "ftp://example.com/a.wav"}), "InvalidAudioUrl"),
    ],
)
def test_errors_invalid_definition_is_400_invalid_argument(
    echo_client: TranscriptionClient, options: TranscriptionOptions, inner: str
) -> None:
    error, body = refusal(echo_client, TranscriptionContent(definition=options, audio=b"x"))
    assert (error.status_code, body["code"], body["innerError"]["code"]) == (400, "InvalidArgument", inner)


def test_errors_limits_are_inclusive(echo_client: TranscriptionClient) -> None:
    for options in (
        TranscriptionOptions(diarization_options=TranscriptionDiarizationOptions(max_speakers=35)),
        TranscriptionOptions(phrase_list=PhraseListProperties(phrases=["p"] * 500, biasing_weight=1.5)),
        TranscriptionOptions(active_channels=[1, 0], profanity_filter_mode="tags"),
    ):
        assert echo_client.transcribe(TranscriptionContent(definition=options, audio=b"x")).phrases


@pytest.mark.parametrize(
    ("field", "value"), [("diarization", {"maxSpeakers": 2}), ("audioUrl", "http://h/a.wav")]
)
def test_errors_field_newer_than_api_version_is_400(echo: RunningEmulator, field: str, value: Any) -> None:
    with TranscriptionClient(
        echo.endpoint, AzureKeyCredential(echo.key), api_version="2024-05-15-preview"
    ) as client:
        error, body = refusal(
            client, TranscriptionContent(definition=TranscriptionOptions({field: value}), audio=b"x")
        )
    assert error.status_code == 400 and field in body["message"]


@pytest.mark.parametrize("version", ["2023-01-01", "", None])
def test_errors_unknown_api_version_is_400(echo: RunningEmulator, version: str | None) -> None:
    params = {"api-version": version} if version is not None else {}
    response = post(echo, params=params, files={"audio": ("a.wav", b"x")})
    assert response.status_code == 400
    assert (
        response.json()["code"] == "InvalidRequest"
        and response.json()["innerError"]["code"] == "InvalidApiVersion"
    )


def test_errors_no_audio_and_no_audio_url_is_400(echo_client: TranscriptionClient) -> None:
    error, body = refusal(
        echo_client, TranscriptionContent(definition=TranscriptionOptions(locales=["en-US"]))
    )
    assert error.status_code == 400 and body["code"] == "InvalidRequest"


def test_errors_definition_not_json_is_400(echo: RunningEmulator) -> None:
    response = post(echo, files={"audio": ("a.wav", b"x"), "definition": (None, b"{locales: en-US")})
    assert response.status_code == 400 and response.json()["code"] == "InvalidRequest"


@pytest.mark.parametrize("content_type", ["application/json", "audio/wav", "multipart/form-data"])
def test_errors_body_not_multipart_is_415(echo: RunningEmulator, content_type: str) -> None:
    response = post(echo, content=b'{"locales": ["en-US"]}', headers={"Content-Type": content_type})
    assert response.status_code == 415 and response.json()["code"] == "UnsupportedMediaType"


def test_errors_truncated_multipart_is_400(echo: RunningEmulator) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="audio"\r\n\r\nRIFF'
    response = post(echo, content=body, headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 400 and response.json()["code"] == "InvalidRequest"


def test_errors_unknown_route_is_404_json(echo: RunningEmulator) -> None:
    response = httpx.get(echo.endpoint + "/speechtotext/v3.2/transcriptions")
    assert response.status_code == 404 and response.json()["code"] == "NotFound"
    assert httpx.get(echo.endpoint + PATH).status_code == 405
