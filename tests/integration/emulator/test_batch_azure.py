"""Batch transcription as the app meets it: azure-core's pipeline with bearer tokens over https,
and audio fetched from Azurite through a blob SAS (valid, expired, or for the wrong blob)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from azure.core import PipelineClient
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.rest import HttpRequest
from azure.storage.blob import (
    BlobSasPermissions,
    BlobServiceClient,
    ContainerSasPermissions,
    generate_blob_sas,
    generate_container_sas,
)

from devtools.azurite import Azurite
from devtools.certs import TLSCertificates
from devtools.speech_emulator import SPEECH_AUDIENCE, RunningEmulator
from tests.fixtures.speech import StaticTokenCredential, speech_token
from tests.fixtures.storage import BlobContainers
from tests.integration.emulator.batch_api import API_VERSION, body, content, files, submit, transcribe, wait


def _client(emulator: RunningEmulator, tls_certs: TLSCertificates) -> PipelineClient:
    policies = [
        BearerTokenCredentialPolicy(StaticTokenCredential(speech_token()), f"{SPEECH_AUDIENCE}/.default"),
        RetryPolicy(retry_backoff_factor=0.01),
    ]
    return PipelineClient(emulator.endpoint, policies=policies, connection_verify=str(tls_certs.ca_bundle))


def test_batch_over_https_with_bearer_tokens_through_azure_core(
    speech_tokens: RunningEmulator, tls_certs: TLSCertificates, corpus_host: str
) -> None:
    with _client(speech_tokens, tls_certs) as client:
        submitted = client.send_request(
            HttpRequest(
                "POST",
                f"{speech_tokens.endpoint}/speechtotext/transcriptions:submit?api-version={API_VERSION}",
                json=body(f"{corpus_host}/cards-001.wav"),
            )
        )
        assert submitted.status_code == 201, submitted.text()
        location = submitted.headers["Location"]
        assert location.startswith("https://")
        for _ in range(600):
            status = client.send_request(HttpRequest("GET", location)).json()
            if status["status"] in ("Succeeded", "Failed"):
                break
            time.sleep(0.1)
        assert status["status"] == "Succeeded"
        listed = client.send_request(HttpRequest("GET", status["links"]["files"])).json()["values"]
        result = json.loads(client.send_request(HttpRequest("GET", listed[0]["links"]["contentUrl"])).text())
    assert "clubs" in result["combinedRecognizedPhrases"][0]["lexical"]
    assert {r.auth for r in speech_tokens.requests()} == {"bearer"}
    assert {r.operation for r in speech_tokens.requests()} == {"submit", "status", "files"}


def test_batch_refuses_keys_where_local_auth_is_disabled(
    speech_tokens: RunningEmulator, corpus_host: str
) -> None:
    import httpx

    answer = httpx.post(
        speech_tokens.endpoint + "/speechtotext/transcriptions:submit",
        params={"api-version": API_VERSION},
        json=body(f"{corpus_host}/cards-001.wav"),
        headers={"Ocp-Apim-Subscription-Key": speech_tokens.key},
        verify=False,
    )
    assert answer.status_code == 401
    assert answer.json()["innerError"]["code"] == "AuthenticationTypeDisabled"


def _sas_url(azurite: Azurite, container: str, name: str, *, expires_in: dt.timedelta) -> str:
    sas = generate_blob_sas(
        azurite.account_name,
        container,
        name,
        account_key=azurite.account_key,
        permission=BlobSasPermissions(read=True),
        expiry=dt.datetime.now(dt.UTC) + expires_in,
    )
    return f"{azurite.blob_endpoint}/{container}/{name}?{sas}"


@pytest.fixture
def uploaded(azurite: Azurite, blob_containers: BlobContainers, corpus: Path) -> str:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    service.get_blob_client(blob_containers.audio, "talk.wav").upload_blob(
        (corpus / "cards-001.wav").read_bytes()
    )
    return "talk.wav"


def test_batch_fetches_audio_from_azurite_with_its_sas(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers, uploaded: str
) -> None:
    url = _sas_url(azurite, blob_containers.audio, uploaded, expires_in=dt.timedelta(hours=1))
    status, (result,) = transcribe(echo, url)
    assert status["status"] == "Succeeded"
    assert result["source"] == url.split("?")[0]
    assert result["durationMilliseconds"] == 1095
    assert "sig=" not in json.dumps(status) and "sig=" not in json.dumps(
        [r.audio_url for r in echo.requests()]
    )


@pytest.mark.parametrize("problem", ["expired", "wrong blob"])
def test_batch_expired_or_wrong_sas_fails_the_job_with_the_download_error(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers, uploaded: str, problem: str
) -> None:
    if problem == "expired":
        url = _sas_url(azurite, blob_containers.audio, uploaded, expires_in=dt.timedelta(minutes=-5))
    else:
        valid = _sas_url(azurite, blob_containers.audio, uploaded, expires_in=dt.timedelta(hours=1))
        url = valid.replace(f"/{uploaded}?", "/other.wav?")
    status, results = transcribe(echo, url)
    assert status["status"] == "Failed" and results == []
    assert status["properties"]["error"]["code"] == "FailedToDownload"
    assert "HTTP 403" in status["properties"]["error"]["message"]
    report = content(next(f for f in files(echo, status) if f["kind"] == "TranscriptionReport"))
    assert report["failedTranscriptionsCount"] == 1


def _container_sas(azurite: Azurite, container: str, **permissions: bool) -> str:
    sas = generate_container_sas(
        azurite.account_name,
        container,
        account_key=azurite.account_key,
        permission=ContainerSasPermissions(**permissions),
        expiry=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    return f"{azurite.blob_endpoint}/{container}?{sas}"


def test_batch_transcribes_every_blob_of_a_content_container(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers, corpus: Path
) -> None:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    for name in ("a.wav", "b.wav"):
        service.get_blob_client(blob_containers.audio, name).upload_blob(
            (corpus / "cards-002.wav").read_bytes()
        )
    document = body()
    document.pop("contentUrls")
    document["contentContainerUrl"] = _container_sas(azurite, blob_containers.audio, read=True, list=True)
    answer = submit(echo, document)
    assert answer.status_code == 201 and "contentContainerUrl" not in answer.json()
    status, _ = wait(echo, answer.headers["Location"])
    listed = files(echo, status)
    assert [f["kind"] for f in listed] == ["Transcription", "Transcription", "TranscriptionReport"]
    sources = [content(f)["source"] for f in listed[:2]]
    assert sources == [f"{azurite.blob_endpoint}/{blob_containers.audio}/{n}" for n in ("a.wav", "b.wav")]


def test_batch_container_without_list_permission_fails_the_job(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers, uploaded: str
) -> None:
    document = body()
    document.pop("contentUrls")
    document["contentContainerUrl"] = _container_sas(azurite, blob_containers.audio, read=True)
    status, _ = wait(echo, submit(echo, document).headers["Location"])
    assert status["status"] == "Failed" and status["properties"]["error"]["code"] == "FailedToDownload"


def test_batch_writes_results_to_the_destination_container(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers, uploaded: str
) -> None:
    source = _sas_url(azurite, blob_containers.audio, uploaded, expires_in=dt.timedelta(hours=1))
    destination = _container_sas(azurite, blob_containers.transcripts, write=True, create=True)
    answer = submit(echo, body(source, destinationContainerUrl=destination))
    assert answer.json()["properties"]["destinationContainerUrl"] == destination.split("?")[0]
    status, _ = wait(echo, answer.headers["Location"])
    listed = files(echo, status)
    job_id = status["self"].split("/")[-1].split("?")[0]
    container = BlobServiceClient.from_connection_string(azurite.connection_string).get_container_client(
        blob_containers.transcripts
    )
    assert sorted(b.name for b in container.list_blobs()) == [
        f"{job_id}/contenturl_0.json",
        f"{job_id}/report.json",
    ]
    assert (
        listed[0]["links"]["contentUrl"]
        == f"{azurite.blob_endpoint}/{blob_containers.transcripts}/{job_id}/contenturl_0.json"
    )
    written = json.loads(container.download_blob(f"{job_id}/contenturl_0.json").readall())
    assert written["durationMilliseconds"] == 1095


def test_batch_unwritable_destination_fails_the_job(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers, uploaded: str
) -> None:
    source = _sas_url(azurite, blob_containers.audio, uploaded, expires_in=dt.timedelta(hours=1))
    read_only = _container_sas(azurite, blob_containers.transcripts, read=True)
    status, _ = wait(echo, submit(echo, body(source, destinationContainerUrl=read_only)).headers["Location"])
    assert status["status"] == "Failed"
    assert status["properties"]["error"]["code"] == "InaccessibleCustomerStorage"


def test_batch_empty_blob_fails_as_invalid_data(
    echo: RunningEmulator, azurite: Azurite, blob_containers: BlobContainers
) -> None:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    service.get_blob_client(blob_containers.audio, "empty.wav").upload_blob(b"")
    url = _sas_url(azurite, blob_containers.audio, "empty.wav", expires_in=dt.timedelta(hours=1))
    status, results = transcribe(echo, url)
    assert status["status"] == "Failed" and results == []
    assert status["properties"]["error"]["code"] == "InvalidData"


def test_batch_fetches_audio_from_https_azurite_trusting_the_session_ca(
    echo: RunningEmulator,
    azurite_oauth: Azurite,
    oauth_blob_containers: BlobContainers,
    tls_certs: TLSCertificates,
) -> None:
    service = BlobServiceClient.from_connection_string(
        azurite_oauth.connection_string, connection_verify=str(tls_certs.ca_bundle)
    )
    audio = (Path(__file__).resolve().parents[2] / "corpus" / "cards-003.wav").read_bytes()
    service.get_blob_client(oauth_blob_containers.audio, "talk.wav").upload_blob(audio)
    url = _sas_url(azurite_oauth, oauth_blob_containers.audio, "talk.wav", expires_in=dt.timedelta(hours=1))
    assert url.startswith("https://")
    status, (result,) = transcribe(echo, url)
    assert status["status"] == "Succeeded" and result["source"] == url.split("?")[0]
