"""The Azurite launcher: http endpoints work with the real storage SDK, and processes never leak."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from azure.storage.blob import BlobServiceClient
from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient

from devtools.azurite import Azurite, AzuriteError
from devtools.certs import TLSCertificates
from tests.fixtures.storage import BlobContainers

ROOT = Path(__file__).resolve().parents[3]


def _alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (already dead, not yet reaped by init) counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _group_empty(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_azurite_connection_string_sync_client_round_trips_blob(
    azurite: Azurite, blob_containers: BlobContainers
) -> None:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as service:
        blob = service.get_blob_client(blob_containers.audio, "speech.wav")
        blob.upload_blob(b"RIFF-sync")
        assert blob.download_blob().readall() == b"RIFF-sync"
        assert blob_containers.audio in {c.name for c in service.list_containers()}


async def test_azurite_connection_string_aio_client_round_trips_blob(
    azurite: Azurite, blob_containers: BlobContainers
) -> None:
    async with AsyncBlobServiceClient.from_connection_string(azurite.connection_string) as service:
        blob = service.get_blob_client(blob_containers.transcripts, "speech.json")
        await blob.upload_blob(b'{"text": "aio"}')
        downloaded = await blob.download_blob()
        assert await downloaded.readall() == b'{"text": "aio"}'


def test_azurite_endpoints_use_os_assigned_loopback_ports(azurite: Azurite) -> None:
    blob, queue = urlsplit(azurite.blob_endpoint), urlsplit(azurite.queue_endpoint)
    assert blob.hostname == queue.hostname == "127.0.0.1"
    assert blob.port not in (None, 10000) and queue.port not in (None, 10001)
    assert f"BlobEndpoint={azurite.blob_endpoint};" in azurite.connection_string
    assert f"QueueEndpoint={azurite.queue_endpoint};" in azurite.connection_string


def test_azurite_queue_endpoint_serves_queue_service(azurite: Azurite) -> None:
    response = httpx.get(f"{azurite.queue_endpoint}?comp=list")
    assert response.status_code == 403  # alive, and wants credentials
    assert "x-ms-request-id" in response.headers


def test_azurite_relative_location_keeps_the_data_under_the_callers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Azurite runs in the temp folder: `make dev`'s `.azurite` must still land in the clone."""
    monkeypatch.chdir(tmp_path)
    with (
        Azurite(location=Path(".azurite")) as azurite,
        BlobServiceClient.from_connection_string(azurite.connection_string) as service,
    ):
        service.create_container("audio-in").upload_blob("kept.wav", b"RIFF-kept")
    assert azurite.location == tmp_path / ".azurite"
    stored = [path for path in (tmp_path / ".azurite").rglob("*") if path.is_file()]
    assert any(path.read_bytes() == b"RIFF-kept" for path in stored), stored


def test_azurite_stop_leaves_no_process() -> None:
    azurite = Azurite().start()
    pid = azurite.pid
    assert pid is not None and _alive(pid)
    azurite.stop()
    azurite.stop()  # idempotent
    assert not _alive(pid)
    assert _group_empty(pid)
    with pytest.raises(AzuriteError, match="not started"):
        _ = azurite.blob_endpoint


def test_azurite_bad_certificate_raises_error_with_azurite_output(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    certs = TLSCertificates(ca_bundle=missing, cert=missing, key=missing)
    with pytest.raises(AzuriteError, match="exited with code") as raised:
        Azurite(certs=certs, oauth=True, startup_timeout=20).start()
    assert "missing.pem" in str(raised.value)  # Azurite's own complaint is in the message


def test_azurite_oauth_without_https_raises_value_error() -> None:
    with pytest.raises(ValueError, match="https"):
        Azurite(oauth=True)


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux-only")
def test_azurite_owner_killed_azurite_dies_too() -> None:
    owner_code = (
        "import time\n"
        "from devtools.azurite import Azurite\n"
        "azurite = Azurite().start()\n"
        "print(azurite.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", owner_code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        pid = int(owner.stdout.readline())
        assert _alive(pid)
        owner.send_signal(signal.SIGKILL)  # a crash: no teardown, no atexit
        owner.wait()
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid)
    finally:
        owner.kill()
        owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()
