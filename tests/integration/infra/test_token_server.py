"""The local managed-identity endpoint, driven by azure-identity's real ManagedIdentityCredential."""

from __future__ import annotations

import time

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.identity import CredentialUnavailableError, ManagedIdentityCredential
from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential

from devtools.token_server import API_VERSION, TokenServer, decode_jwt

STORAGE_SCOPE = "https://storage.azure.com/.default"
SPEECH_SCOPE = "https://cognitiveservices.azure.com/.default"


def test_token_server_system_assigned_sync_credential_gets_storage_token(
    managed_identity_env: TokenServer,
) -> None:
    token = ManagedIdentityCredential().get_token(STORAGE_SCOPE)

    claims = decode_jwt(token.token)
    system = managed_identity_env.system_identity
    assert system is not None
    assert claims["aud"] == "https://storage.azure.com"
    assert claims["iss"] == f"https://sts.windows.net/{managed_identity_env.tenant_id}/"
    assert claims["appid"] == claims["azp"] == system.client_id
    assert claims["oid"] == system.object_id and claims["tid"] == managed_identity_env.tenant_id
    assert claims["nbf"] <= time.time() < claims["exp"] == token.expires_on
    [request] = managed_identity_env.journal
    assert (request.resource, request.client_id, request.status) == ("https://storage.azure.com", None, 200)
    assert request.params["api-version"] == API_VERSION
    assert request.identity_header == managed_identity_env.identity_header
    assert request.metadata_header == "true"


def test_token_server_user_assigned_sync_credential_sends_client_id(
    managed_identity_env: TokenServer,
) -> None:
    identity = managed_identity_env.add_user_assigned()

    token = ManagedIdentityCredential(client_id=identity.client_id).get_token(SPEECH_SCOPE)

    assert decode_jwt(token.token)["appid"] == identity.client_id
    assert decode_jwt(token.token)["aud"] == "https://cognitiveservices.azure.com"
    [request] = managed_identity_env.journal
    assert request.client_id == identity.client_id
    assert request.resource == "https://cognitiveservices.azure.com"


async def test_token_server_user_assigned_aio_credential_sends_client_id(
    managed_identity_env: TokenServer,
) -> None:
    identity = managed_identity_env.add_user_assigned("11111111-2222-3333-4444-555555555555")

    async with AsyncManagedIdentityCredential(client_id=identity.client_id) as credential:
        token = await credential.get_token(STORAGE_SCOPE)

    assert decode_jwt(token.token)["oid"] == identity.object_id
    assert [r.client_id for r in managed_identity_env.journal] == [identity.client_id]


async def test_token_server_system_assigned_aio_credential_gets_token(
    managed_identity_env: TokenServer,
) -> None:
    async with AsyncManagedIdentityCredential() as credential:
        token = await credential.get_token(STORAGE_SCOPE)

    assert token.expires_on == decode_jwt(token.token)["exp"]
    assert managed_identity_env.journal[0].metadata_header is None  # the aio path omits it


def test_token_server_unknown_client_id_sync_raises_credential_unavailable(
    managed_identity_env: TokenServer,
) -> None:
    # MSAL turns the 400 into CredentialUnavailableError ("configuration not found"), quoting our message.
    with pytest.raises(CredentialUnavailableError, match="Unable to load the proper Managed Identity"):
        ManagedIdentityCredential(client_id="not-a-known-identity").get_token(STORAGE_SCOPE)

    assert [(r.client_id, r.status) for r in managed_identity_env.journal] == [("not-a-known-identity", 400)]


async def test_token_server_unknown_client_id_aio_raises_client_authentication_error(
    managed_identity_env: TokenServer,
) -> None:
    with pytest.raises(ClientAuthenticationError, match="Unable to load the proper Managed Identity"):
        async with AsyncManagedIdentityCredential(client_id="not-a-known-identity") as credential:
            await credential.get_token(STORAGE_SCOPE)

    assert [r.status for r in managed_identity_env.journal] == [400]


def test_token_server_wrong_identity_header_is_refused(managed_identity_env: TokenServer) -> None:
    managed_identity_env.identity_header = "rotated-secret"

    with pytest.raises(ClientAuthenticationError, match="X-IDENTITY-HEADER is invalid"):
        ManagedIdentityCredential().get_token(STORAGE_SCOPE)

    assert [r.status for r in managed_identity_env.journal] == [401]


def test_token_server_missing_header_or_bad_version_answers_like_azure(token_server: TokenServer) -> None:
    base = {"api-version": API_VERSION, "resource": "https://storage.azure.com"}
    header = {"X-IDENTITY-HEADER": token_server.identity_header}

    assert httpx.get(token_server.endpoint, params=base).status_code == 401
    old_version = {**base, "api-version": "2017-09-01"}
    assert httpx.get(token_server.endpoint, params=old_version, headers=header).status_code == 400
    reply = httpx.get(token_server.endpoint, params=base, headers=header).json()
    assert set(reply) == {"access_token", "expires_on", "resource", "token_type", "client_id"}
    assert reply["expires_on"].isdigit() and reply["token_type"] == "Bearer"


def test_token_server_knobs_mint_expired_and_wrong_audience_tokens(managed_identity_env: TokenServer) -> None:
    managed_identity_env.lifetime_seconds = -60
    managed_identity_env.audience_override = "https://monitor.azure.com"

    token = ManagedIdentityCredential().get_token(STORAGE_SCOPE)

    claims = decode_jwt(token.token)
    assert claims["exp"] < time.time() and claims["nbf"] < claims["exp"]
    assert claims["aud"] == "https://monitor.azure.com"
    managed_identity_env.reset()
    assert managed_identity_env.journal == [] and managed_identity_env.audience_override is None


def test_token_server_down_sync_credential_fails_within_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    with TokenServer() as server:
        env = server.env()  # the port is released when the server stops
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    started = time.monotonic()
    with pytest.raises(ServiceRequestError, match="Connection refused"):
        ManagedIdentityCredential().get_token(STORAGE_SCOPE)
    elapsed = time.monotonic() - started

    # azure-core's RetryPolicy retries a refused connection 3 times with 0.8 s exponential
    # backoff (0 + 1.6 + 3.2 s): about 5 s, then the error. Bounded, not a hang.
    assert elapsed < 15, f"took {elapsed:.1f} s"


async def test_token_server_down_aio_credential_fails_fast_without_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with TokenServer() as server:
        env = server.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    started = time.monotonic()
    with pytest.raises(ServiceRequestError):
        async with AsyncManagedIdentityCredential(retry_total=0) as credential:
            await credential.get_token(STORAGE_SCOPE)
    assert time.monotonic() - started < 2
