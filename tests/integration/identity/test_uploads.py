"""POST /api/uploads: a user-delegation SAS for one new blob, used as a client would, over https.

Azurite runs with `--oauth basic` over https and the app signs in with managed identity, so the
SAS is a real user-delegation SAS checked by storage; the upload then goes through the host's
blob trigger to a transcript.
"""

from __future__ import annotations

import json
import re
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobClient

from tests.integration.identity.conftest import IdentityApp

URL = "https://transcriber.azurewebsites.net/api/uploads"


async def ask(app: IdentityApp, body: object) -> tuple[int, dict]:
    response = await app.call("POST", URL, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return response.status_code, json.loads(response.get_body())


def client(url: str, ca_bundle: str) -> BlobClient:
    return BlobClient.from_blob_url(url, connection_verify=ca_bundle)


async def test_upload_through_the_sas_url_triggers_a_transcript(
    identity_app: IdentityApp, corpus: Path, tls_certs
) -> None:
    status, reply = await ask(identity_app, {"name": "calls/jfk.flac"})
    assert status == 201 and reply["method"] == "PUT"
    blob = reply["blob"]  # the app's name: a random folder, then the caller's name
    assert re.fullmatch(r"uploads/[0-9a-f]{16}/calls/jfk\.flac", blob)
    sas = parse_qs(urlsplit(reply["uploadUrl"]).query)
    assert sas["sp"] == ["c"] and sas["spr"] == ["https"] and "skoid" in sas  # user delegation
    assert "sr" in sas and sas["sr"] == ["b"]  # one blob, not the container
    expiry = datetime.fromisoformat(sas["se"][0].replace("Z", "+00:00"))
    assert expiry - datetime.now(UTC) <= timedelta(minutes=15, seconds=5)
    uploader = client(reply["uploadUrl"], str(tls_certs.ca_bundle))
    uploader.upload_blob((corpus / "jfk.flac").read_bytes(), content_type="audio/flac")
    with pytest.raises(HttpResponseError) as refused:  # write only: no reading back
        uploader.download_blob().readall()
    assert refused.value.status_code == 403
    delivery = await identity_app.blob_event(blob)
    assert delivery.status == "succeeded"
    assert "country" in identity_app.transcripts()[f"{blob}.txt"].decode().lower()


async def test_upload_with_the_headers_given_never_replaces_a_blob(
    identity_app: IdentityApp, tls_certs
) -> None:
    status, reply = await ask(identity_app, {"name": "once.wav"})
    assert status == 201 and reply["headers"] == {"x-ms-blob-type": "BlockBlob", "If-None-Match": "*"}

    def put(data: bytes) -> int:  # a plain client doing what the reply says
        headers = {**reply["headers"], "Content-Type": "audio/wav"}
        response = httpx.put(
            reply["uploadUrl"],
            content=data,
            headers=headers,
            verify=ssl.create_default_context(cafile=str(tls_certs.ca_bundle)),
        )
        return response.status_code

    assert put(b"RIFF first") == 201
    # the same SAS, the same headers: nothing is replaced (Azurite checks the create-only SAS
    # first, 403; which of the two the live service answers first is not recorded)
    assert put(b"RIFF second") in (403, 409)
    blob = identity_app.storage.get_blob_client(identity_app.containers.audio, reply["blob"])
    assert blob.download_blob().readall() == b"RIFF first"


async def test_upload_sas_refuses_an_overwrite_metadata_and_a_lease_without_the_header(
    identity_app: IdentityApp, tls_certs
) -> None:
    """Issue #24: with create+write a second PUT without If-None-Match replaced the recording,
    set its metadata and took an infinite lease; with create alone storage refuses all three."""
    status, reply = await ask(identity_app, {"name": "mine.wav"})
    assert status == 201
    verify = ssl.create_default_context(cafile=str(tls_certs.ca_bundle))
    url = reply["uploadUrl"]
    first = httpx.put(url, content=b"RIFF mine", headers={"x-ms-blob-type": "BlockBlob"}, verify=verify)
    assert first.status_code == 201
    again = httpx.put(url, content=b"RIFF theirs", headers={"x-ms-blob-type": "BlockBlob"}, verify=verify)
    metadata = httpx.put(f"{url}&comp=metadata", headers={"x-ms-meta-owner": "them"}, verify=verify)
    lease = httpx.put(
        f"{url}&comp=lease",
        headers={"x-ms-lease-action": "acquire", "x-ms-lease-duration": "-1"},
        verify=verify,
    )
    assert (again.status_code, metadata.status_code, lease.status_code) == (403, 403, 403)
    blob = identity_app.storage.get_blob_client(identity_app.containers.audio, reply["blob"])
    assert blob.download_blob().readall() == b"RIFF mine"
    assert blob.get_blob_properties().lease.state == "available"


async def test_upload_sas_is_for_that_one_blob_only(identity_app: IdentityApp, tls_certs) -> None:
    status, reply = await ask(identity_app, {"name": "a.wav"})
    assert status == 201
    other = reply["uploadUrl"].replace("/a.wav?", "/b.wav?")
    assert other != reply["uploadUrl"]
    with pytest.raises(HttpResponseError) as refused:
        client(other, str(tls_certs.ca_bundle)).upload_blob(b"RIFF")
    assert refused.value.status_code == 403


async def test_upload_of_one_name_twice_gets_two_blobs(identity_app: IdentityApp, tls_certs) -> None:
    """Issue #24: two callers asking for one name each get their own blob, never the other's."""
    (first_status, first), (second_status, second) = [
        await ask(identity_app, {"name": "taken.wav"}) for _ in range(2)
    ]
    assert (first_status, second_status) == (201, 201)
    assert first["blob"] != second["blob"] and first["uploadUrl"] != second["uploadUrl"]
    for reply, data in ((first, b"RIFF one"), (second, b"RIFF two")):
        client(reply["uploadUrl"], str(tls_certs.ca_bundle)).upload_blob(data)
    audio = identity_app.storage.get_container_client(identity_app.containers.audio)
    assert [audio.download_blob(r["blob"]).readall() for r in (first, second)] == [b"RIFF one", b"RIFF two"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "../escape.wav"},
        {"name": "%2e%2e/x.wav"},
        {"name": "/abs.wav"},
        {"name": "a\\b.wav"},
        {"name": "x\x00.wav"},
        {"name": "x" * 1100},
        {"name": ""},
        {"name": 5},
        {"name": "a.wav", "container": "other"},
        ["a.wav"],
    ],
)
async def test_upload_with_hostile_name_is_refused(identity_app: IdentityApp, body: object) -> None:
    status, reply = await ask(identity_app, body)
    assert status == 400 and reply["error"]["code"] in ("InvalidBlobName", "InvalidRequest")
    assert "uploadUrl" not in reply


async def test_upload_needs_the_function_key(identity_app: IdentityApp) -> None:
    response = await identity_app.host.http(
        "POST", URL, b'{"name": "a.wav"}', {"Content-Type": "application/json"}
    )
    assert response.status_code == 401
