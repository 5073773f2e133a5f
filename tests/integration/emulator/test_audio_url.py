"""`transcribe_from_url`: the emulator fetches `audioUrl` itself (http and https, size-capped)."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.aio import TranscriptionClient as AsyncTranscriptionClient
from azure.ai.transcription.models import TranscriptionContent, TranscriptionOptions
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError

from devtools.certs import TLSCertificates
from devtools.speech_emulator import RunningEmulator
from tests.fixtures.file_server import serve_directory

FileServer = Callable[..., str]


@pytest.fixture
def file_server(tmp_path: Path, corpus: Path, tls_certs: TLSCertificates) -> Iterator[FileServer]:
    """`serve(https=False) -> base URL` of a loopback server holding cards-001.wav as audio/cards.wav."""
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "cards.wav").write_bytes((corpus / "cards-001.wav").read_bytes())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_certs.cert, tls_certs.key)
    with contextlib.ExitStack() as servers:
        yield lambda https=False: servers.enter_context(serve_directory(tmp_path, context if https else None))


def test_audio_url_http_is_fetched_and_transcribed(
    client: TranscriptionClient, speech: RunningEmulator, file_server: FileServer
) -> None:
    url = file_server() + "/audio/cards.wav"
    result = client.transcribe_from_url(url, options=TranscriptionOptions(locales=["en-US"]))
    assert "clubs" in result.combined_phrases[0].text.lower()
    (request,) = speech.requests()
    assert (request.audio_url, request.audio_bytes, request.status) == (url, None, 200)
    assert request.used_audio_url and request.definition == {"locales": ["en-US"], "audioUrl": url}


def test_audio_url_https_sas_style_url_is_fetched_and_its_signature_not_kept(
    client: TranscriptionClient, speech: RunningEmulator, file_server: FileServer
) -> None:
    url = file_server(https=True) + "/audio/cards.wav"
    result = client.transcribe_from_url(url + "?sv=2025-01-05&sr=b&sp=r&sig=c2VjcmV0")
    assert "clubs" in result.combined_phrases[0].text.lower()
    (request,) = speech.requests()
    assert request.audio_url == url and "sig=" not in repr(request)


async def test_audio_url_aio_client_is_fetched_and_transcribed(
    speech: RunningEmulator, file_server: FileServer
) -> None:
    async with AsyncTranscriptionClient(speech.endpoint, AzureKeyCredential(speech.key)) as client:
        result = await client.transcribe_from_url(file_server() + "/audio/cards.wav")
    assert "clubs" in result.combined_phrases[0].text.lower()


def test_audio_url_with_audio_part_uses_the_audio_part(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    options = TranscriptionOptions(audio_url="http://127.0.0.1:9/never-fetched.wav")
    echo_client.transcribe(TranscriptionContent(definition=options, audio=b"bytes win"))
    (request,) = echo.requests()
    assert (request.status, request.audio_url, request.audio_bytes) == (200, None, len(b"bytes win"))


@pytest.mark.parametrize(
    ("path", "inner"),
    [
        ("/audio/missing.wav", "InvalidAudioUrl"),
        ("unreachable", "InvalidAudioUrl"),
        ("/audio/", "InvalidAudioFormat"),
    ],
)
def test_audio_url_that_cannot_be_used_is_a_clear_error(
    client: TranscriptionClient, file_server: FileServer, path: str, inner: str
) -> None:
    url = "http://127.0.0.1:9/a.wav" if path == "unreachable" else file_server() + path
    with pytest.raises(HttpResponseError) as caught:
        client.transcribe_from_url(url)
    body = caught.value.response.json()
    assert body["innerError"]["code"] == inner
    if inner == "InvalidAudioUrl":
        assert (caught.value.status_code, body["code"]) == (400, "InvalidArgument")
        assert "could not be downloaded" in body["message"]


def test_audio_url_larger_than_the_limit_is_refused_while_streaming(
    speech_emulator_factory: Any, file_server: FileServer
) -> None:
    small = speech_emulator_factory(max_bytes=1000)
    with (
        TranscriptionClient(small.endpoint, AzureKeyCredential(small.key)) as client,
        pytest.raises(HttpResponseError) as caught,
    ):
        client.transcribe_from_url(file_server() + "/audio/cards.wav")
    assert caught.value.status_code == 400
    assert caught.value.response.json()["innerError"]["code"] == "AudioSizeLimitExceeded"


@pytest.mark.parametrize("trusted", [True, False])
def test_audio_url_https_trust_comes_from_ca_file(
    speech_emulator_factory: Any,
    file_server: FileServer,
    tls_certs: TLSCertificates,
    monkeypatch: pytest.MonkeyPatch,
    trusted: bool,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    emulator = speech_emulator_factory(engine="echo", ca_file=tls_certs.ca_bundle if trusted else None)
    url = file_server(https=True) + "/audio/cards.wav"
    with TranscriptionClient(emulator.endpoint, AzureKeyCredential(emulator.key)) as client:
        if trusted:
            assert client.transcribe_from_url(url).phrases
        else:
            with pytest.raises(HttpResponseError) as caught:
                client.transcribe_from_url(url)
            assert caught.value.response.json()["innerError"]["code"] == "InvalidAudioUrl"
