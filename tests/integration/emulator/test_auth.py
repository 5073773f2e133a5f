"""Keys, bearer tokens over https, and keys refused: what the SDK sees in each case."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

import httpx
import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.aio import TranscriptionClient as AsyncTranscriptionClient
from azure.ai.transcription.models import TranscriptionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from devtools.certs import TLSCertificates
from devtools.speech_emulator import RunningEmulator
from tests.fixtures.speech import AsyncStaticTokenCredential, StaticTokenCredential, speech_token
from tests.integration.emulator.conftest import AIOHTTP_BYTES_WARNING

PATH = "/speechtotext/transcriptions:transcribe?api-version=2025-10-15"


def unsigned_jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def auth_failure(endpoint: str, credential: Any, **client_kwargs: Any) -> dict[str, Any]:
    with (
        TranscriptionClient(endpoint, credential, **client_kwargs) as client,
        pytest.raises(ClientAuthenticationError) as caught,
    ):
        client.transcribe(TranscriptionContent(audio=b"x"))
    assert caught.value.status_code == 401
    body: dict[str, Any] = caught.value.response.json()
    assert body["code"] == "Unauthorized"
    return body


def test_auth_right_key_is_accepted_and_journaled_without_the_key(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    echo_client.transcribe(TranscriptionContent(audio=b"x"))
    (request,) = echo.requests()
    assert request.auth == "key" and echo.key not in repr(request)


def test_auth_wrong_key_is_client_authentication_error(echo: RunningEmulator) -> None:
    body = auth_failure(echo.endpoint, AzureKeyCredential("not-the-key"))
    assert body["innerError"]["code"] == "InvalidSubscriptionKey"
    assert [(r.auth, r.status) for r in echo.requests()] == [("key", 401)]


def test_auth_missing_credentials_is_401_unauthorized(echo: RunningEmulator) -> None:
    response = httpx.post(echo.endpoint + PATH, files={"audio": ("a.wav", b"x")})
    assert response.status_code == 401
    assert (
        response.json()["code"] == "Unauthorized"
        and response.json()["innerError"]["code"] == "MissingCredentials"
    )
    assert echo.requests()[0].auth == "none"


def test_auth_bearer_token_over_https_is_accepted(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates, cards: bytes
) -> None:
    credential = StaticTokenCredential(speech_token())
    with TranscriptionClient(
        speech_tokens.endpoint, credential, connection_verify=str(tls_certs.ca_bundle)
    ) as client:
        result = client.transcribe(TranscriptionContent(audio=cards))
    assert "clubs" in result.combined_phrases[0].text.lower()
    assert speech_tokens.endpoint.startswith("https://") and speech_tokens.requests()[0].auth == "bearer"


@pytest.mark.filterwarnings(AIOHTTP_BYTES_WARNING)
async def test_auth_bearer_token_with_aio_client_is_accepted(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates, cards: bytes
) -> None:
    async with (
        AsyncStaticTokenCredential(speech_token()) as credential,
        AsyncTranscriptionClient(
            speech_tokens.endpoint, credential, connection_verify=str(tls_certs.ca_bundle)
        ) as client,
    ):
        result = await client.transcribe(TranscriptionContent(audio=cards))
    assert "clubs" in result.combined_phrases[0].text.lower()
    assert [r.auth for r in speech_tokens.requests()] == ["bearer"]


def test_auth_audience_with_trailing_slash_is_accepted(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates, cards: bytes
) -> None:
    now = int(time.time())
    token = unsigned_jwt({"aud": "https://cognitiveservices.azure.com/", "exp": now + 600, "nbf": now - 10})
    credential = StaticTokenCredential(token)
    with TranscriptionClient(
        speech_tokens.endpoint, credential, connection_verify=str(tls_certs.ca_bundle)
    ) as client:
        assert client.transcribe(TranscriptionContent(audio=cards)).phrases
    assert [(r.auth, r.status) for r in speech_tokens.requests()] == [("bearer", 200)]


@pytest.mark.parametrize(
    ("token", "inner"),
    [
        (lambda: speech_token(audience="https://management.azure.com"), "InvalidToken"),
        (lambda: speech_token(audience="https://storage.azure.com"), "InvalidToken"),
        (lambda: speech_token(lifetime_seconds=-60), "TokenExpired"),
        (
            lambda: unsigned_jwt(
                {
                    "aud": "https://cognitiveservices.azure.com",
                    "exp": time.time() + 600,
                    "nbf": time.time() + 300,
                }
            ),
            "TokenExpired",
        ),
        (lambda: unsigned_jwt({"aud": "https://cognitiveservices.azure.com"}), "TokenExpired"),
        (lambda: "not-a-jwt", "InvalidToken"),
    ],
)
def test_auth_unacceptable_token_is_client_authentication_error(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates, token: Any, inner: str
) -> None:
    body = auth_failure(
        speech_tokens.endpoint, StaticTokenCredential(token()), connection_verify=str(tls_certs.ca_bundle)
    )
    assert body["innerError"]["code"] == inner
    assert [(r.auth, r.status) for r in speech_tokens.requests()] == [("bearer", 401)]


def test_auth_key_on_refuse_keys_emulator_is_client_authentication_error(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates
) -> None:
    body = auth_failure(
        speech_tokens.endpoint,
        AzureKeyCredential(speech_tokens.key),
        connection_verify=str(tls_certs.ca_bundle),
    )
    assert body["innerError"]["code"] == "AuthenticationTypeDisabled"


def test_auth_https_emulator_without_refuse_keys_accepts_both(
    speech_emulator_factory: Any, tls_certs: TLSCertificates
) -> None:
    both = speech_emulator_factory(engine="echo", cert_file=tls_certs.cert, key_file=tls_certs.key)
    verify = str(tls_certs.ca_bundle)
    for credential in (AzureKeyCredential(both.key), StaticTokenCredential(speech_token())):
        with TranscriptionClient(both.endpoint, credential, connection_verify=verify) as client:
            client.transcribe(TranscriptionContent(audio=b"x"))
    assert [(r.auth, r.status) for r in both.requests()] == [("key", 200), ("bearer", 200)]


def test_auth_bearer_token_over_plain_http_is_refused(echo: RunningEmulator) -> None:
    with (
        TranscriptionClient(echo.endpoint, StaticTokenCredential(speech_token())) as client,
        pytest.raises(ClientAuthenticationError) as caught,
    ):
        client.transcribe(TranscriptionContent(audio=b"x"), enforce_https=False)
    assert caught.value.response.json()["innerError"]["code"] == "InvalidAuthenticationType"


def test_auth_secrets_never_reach_logs_or_journal(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="devtools")
    token = speech_token()
    verify = str(tls_certs.ca_bundle)
    for credential in (StaticTokenCredential(token), AzureKeyCredential(speech_tokens.key)):
        with (
            TranscriptionClient(speech_tokens.endpoint, credential, connection_verify=verify) as client,
            pytest.raises(HttpResponseError),  # the audio (422) or the key (401) is refused
        ):
            client.transcribe(TranscriptionContent(audio=b"x"))
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("devtools"))
    assert "POST /speechtotext/transcriptions:transcribe" in logged
    journal = repr(speech_tokens.requests())
    for secret in (token, token.split(".")[1], speech_tokens.key):
        assert secret not in logged and secret not in journal
