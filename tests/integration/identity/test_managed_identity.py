"""Managed identity end to end: azure-identity's real code against a local token endpoint,
Azurite over https with OAuth, and the Speech emulator requiring bearer tokens and refusing keys.
No key is configured anywhere in these tests."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest

from devtools.functions_host import HostStorageError
from tests.integration.identity.conftest import IdentityApp
from transcriber.adapters.blob_store import BlobStore

COGNITIVE = "https://cognitiveservices.azure.com"
STORAGE = "https://storage.azure.com"


def assert_no_key_configured() -> None:
    assert "AZURE_SPEECH_API_KEY" not in os.environ and "AudioStorage" not in os.environ
    assert not any("AccountKey=" in value for value in os.environ.values())


async def test_identity_system_assigned_transcribes_blob_without_keys(
    identity_app: IdentityApp, corpus: Path
) -> None:
    assert_no_key_configured()
    identity_app.upload("calls/cards.wav", (corpus / "cards-001.wav").read_bytes())
    await identity_app.blob_event("calls/cards.wav")

    assert set(identity_app.transcripts()) == {
        f"calls/cards.wav.{ext}" for ext in ("json", "txt", "srt", "vtt")
    }
    assert "10 of clubs" in identity_app.transcripts()["calls/cards.wav.txt"].decode().lower()
    resources = {entry.resource for entry in identity_app.tokens.journal}
    assert resources == {STORAGE, COGNITIVE}
    assert all(entry.client_id is None for entry in identity_app.tokens.journal)
    assert [request.auth for request in identity_app.speech.requests()] == ["bearer"]


async def test_identity_user_assigned_client_id_reaches_token_endpoint(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = identity_app.tokens.add_user_assigned()
    monkeypatch.setenv("AZURE_CLIENT_ID", identity.client_id)
    monkeypatch.setenv("AudioStorage__clientId", identity.client_id)
    await identity_app.restart()

    identity_app.upload("uami.wav", (corpus / "cards-002.wav").read_bytes())
    await identity_app.blob_event("uami.wav")

    assert "uami.wav.json" in identity_app.transcripts()
    journal = identity_app.tokens.journal
    assert {entry.resource for entry in journal} == {STORAGE, COGNITIVE}
    assert {entry.client_id for entry in journal} == {identity.client_id}


async def test_identity_large_blob_goes_by_sas_url_and_never_through_the_function(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def no_download(self: BlobStore, info: object) -> bytes:
        raise AssertionError("the function downloaded the audio")

    monkeypatch.setattr(BlobStore, "download", no_download)
    caplog.set_level(logging.DEBUG)
    identity_app.upload("big/jfk.flac", (corpus / "jfk.flac").read_bytes(), "audio/flac")
    await identity_app.blob_event("big/jfk.flac")

    (request,) = identity_app.speech.requests()
    assert request.audio_url and request.audio_bytes is None
    document = identity_app.transcript_json("big/jfk.flac.json")
    assert document["processing"]["audioDelivery"] == "url"
    assert "country" in identity_app.transcripts()["big/jfk.flac.txt"].decode().lower()
    # Every log line of the process but Azurite's own access log (storage's side, like Azure's).
    app_logs = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("devtools.azurite")
    )
    everything = b"".join(identity_app.transcripts().values()).decode() + app_logs
    assert "sig=" not in everything and "skoid=" not in everything


async def test_identity_http_blob_reference_goes_by_sas_url(identity_app: IdentityApp, corpus: Path) -> None:
    identity_app.upload("by-url.wav", (corpus / "cards-003.wav").read_bytes())
    response = await identity_app.post(json.dumps({"blob": "by-url.wav"}).encode(), "application/json")
    assert response.status_code == 200, response.get_body()
    (request,) = identity_app.speech.requests()
    assert request.audio_url and request.audio_bytes is None
    assert b"sig=" not in response.get_body()


async def test_identity_blob_under_threshold_sends_bytes(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIO_URL_THRESHOLD_BYTES", str(10 * 1024 * 1024))
    await identity_app.restart()
    audio = (corpus / "cards-001.wav").read_bytes()
    identity_app.upload("small.wav", audio)
    await identity_app.blob_event("small.wav")
    (request,) = identity_app.speech.requests()
    assert request.audio_bytes == len(audio) and not request.audio_url


async def test_identity_sas_failure_falls_back_to_bytes(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transcriber.domain.errors import ServiceError

    async def refuse(self: BlobStore, info: object, lifetime: object) -> str:
        raise ServiceError("user delegation key refused", code="StorageError")

    monkeypatch.setattr(BlobStore, "read_sas_url", refuse)
    audio = (corpus / "cards-001.wav").read_bytes()
    identity_app.upload("fallback.wav", audio)
    await identity_app.blob_event("fallback.wav")
    (request,) = identity_app.speech.requests()
    assert request.audio_bytes == len(audio)
    assert identity_app.transcript_json("fallback.wav.json")["processing"]["audioDelivery"] == "bytes"


@pytest.mark.parametrize("problem", ["wrong_audience", "expired"])
async def test_identity_unacceptable_token_is_a_clear_authentication_failure(
    identity_app: IdentityApp, corpus: Path, problem: str
) -> None:
    if problem == "wrong_audience":
        identity_app.tokens.audience_override = "https://management.azure.com"
    else:
        identity_app.tokens.lifetime_seconds = -600
    response = await identity_app.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 502
    error = json.loads(response.get_body())["error"]
    assert error["code"] in ("AuthenticationFailed", "Unauthorized", "InvalidToken", "TokenExpired")
    assert "refused the credential" in error["message"]
    assert [request.status for request in identity_app.speech.requests()] == [401]


async def test_identity_token_endpoint_down_fails_clearly_without_crashing(
    identity_app: IdentityApp, corpus: Path
) -> None:
    identity_app.tokens.stop()
    identity_app.upload("down.wav", (corpus / "cards-001.wav").read_bytes())

    response = await identity_app.post((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    assert response.status_code == 502
    error = json.loads(response.get_body())["error"]
    assert error["code"] == "AuthenticationFailed" and "managed identity" in error["message"]

    # The host's own trigger connection uses the same identity: it cannot read the blob either,
    # so nothing is invoked (in Azure the event waits in the host's queue until tokens work).
    with pytest.raises(HostStorageError):
        await identity_app.blob_event("down.wav")
    health = await identity_app.call("GET", "https://app.example/api/health")
    assert health.status_code == 200 and identity_app.speech.requests() == []


@pytest.mark.parametrize("assigned", ["system", "user"])
async def test_identity_extension_builds_its_blob_client_from_the_identity_settings(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch, assigned: str
) -> None:
    """The SDK-type binding reads AudioStorage__blobServiceUri / __credential / __clientId itself."""
    from azure.identity import ManagedIdentityCredential
    from azurefunctions.extensions.bindings.blob.blobClientConverter import BlobClientConverter

    if assigned == "user":
        identity = identity_app.tokens.add_user_assigned()
        monkeypatch.setenv("AZURE_CLIENT_ID", identity.client_id)
        monkeypatch.setenv("AudioStorage__clientId", identity.client_id)
        await identity_app.restart()
    clients: list[object] = []
    decode = BlobClientConverter.decode.__func__

    def keep(cls: type, data: object, *, trigger_metadata: object, pytype: object) -> object:
        clients.append(decode(cls, data, trigger_metadata=trigger_metadata, pytype=pytype))
        return clients[-1]

    monkeypatch.setattr(BlobClientConverter, "decode", classmethod(keep))
    audio = (corpus / "cards-001.wav").read_bytes()
    identity_app.upload("mi.wav", audio)
    assert (await identity_app.blob_event("mi.wav")).status == "succeeded"

    (client,) = clients
    assert isinstance(client.credential, ManagedIdentityCredential)
    before = len(identity_app.tokens.journal)
    properties = await asyncio.to_thread(client.get_blob_properties)  # a token from the local endpoint
    assert properties.size == len(audio)
    fetched = identity_app.tokens.journal[before:]
    assert [entry.resource for entry in fetched] == [STORAGE]
    assert fetched[0].client_id == (identity.client_id if assigned == "user" else None)
