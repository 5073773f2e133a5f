"""The read SAS URL Speech fetches: https only, read only, short-lived, and checked against the version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.identity.conftest import IdentityApp
from transcriber.adapters.speech import SpeechClient


async def test_sas_url_is_https_read_only_and_expires_within_its_lifetime(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIO_SAS_LIFETIME_MINUTES", "60")
    await identity_app.restart()
    sent: list[str] = []
    original = SpeechClient.transcribe_url

    async def spy(self: SpeechClient, url: str, *args: object, **kwargs: object) -> dict:
        sent.append(url)
        return await original(self, url, *args, **kwargs)

    monkeypatch.setattr(SpeechClient, "transcribe_url", spy)
    identity_app.upload("sas.wav", (corpus / "cards-001.wav").read_bytes())
    signed_at = datetime.now(UTC)
    await identity_app.blob_event("sas.wav")

    assert "sas.wav.json" in identity_app.transcripts()  # Azurite served the https-only SAS
    (signed,) = sent
    url = urlsplit(signed)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert url.scheme == "https"
    assert (query["spr"], query["sp"], query["sr"]) == ("https", "r", "b")
    expiry = datetime.fromisoformat(query["se"].replace("Z", "+00:00"))
    assert expiry <= signed_at + timedelta(minutes=61)


async def test_sas_blob_replaced_while_speech_reads_it_is_retried_for_the_new_version(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (corpus / "cards-001.wav").read_bytes(), (corpus / "cards-002.wav").read_bytes()
    identity_app.upload("swap.wav", first)
    original = SpeechClient.transcribe_url
    swapped = False

    async def replace_during_fetch(self: SpeechClient, url: str, *args: object, **kwargs: object) -> dict:
        nonlocal swapped
        if not swapped:  # another upload lands between signing and Speech's fetch
            swapped = True
            identity_app.upload("swap.wav", second)
        return await original(self, url, *args, **kwargs)

    monkeypatch.setattr(SpeechClient, "transcribe_url", replace_during_fetch)
    delivery = await identity_app.blob_event("swap.wav")
    # the first try fails as transient; the host's retry finds the newer version and stops there
    assert delivery.status == "superseded" and "changed while Speech was reading" in (
        delivery.errors[0] or ""
    )
    assert "swap.wav.json" not in identity_app.transcripts()

    assert (await identity_app.blob_event("swap.wav")).status == "succeeded"  # the new version's event
    document = identity_app.transcript_json("swap.wav.json")
    assert document["source"]["etag"] == identity_app.output_props("swap.wav.json").metadata["sourceetag"]
    current = identity_app.storage.get_blob_client(identity_app.containers.audio, "swap.wav")
    assert document["source"]["etag"] == current.get_blob_properties().etag.strip('"')
    assert "failed/swap.wav.json" not in identity_app.transcripts()


async def test_sas_urls_disabled_sends_bytes_even_for_large_blobs(
    identity_app: IdentityApp, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIO_URL_ENABLED", "false")  # what infra sets with vnetEnabled
    await identity_app.restart()
    audio = (corpus / "jfk.flac").read_bytes()
    identity_app.upload("private-network.flac", audio, "audio/flac")
    await identity_app.blob_event("private-network.flac")
    (request,) = identity_app.speech.requests()
    assert request.audio_bytes == len(audio) and not request.audio_url
