"""Exactly one outcome per blob version: separate namespaces, claims, hostile names, containers.

Every event goes through the host, with its retries until poisonBlobThreshold."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from devtools.functions_host import BlobDelivery
from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.domain import privacy
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.names import claim_name, name_key

SET = ("json", "txt", "srt", "vtt")


def _claim(deployed: Deployed, name: str, etag: str) -> str:
    info = BlobInfo(deployed.containers.audio, name, etag, 0, None)
    blob = claim_name(info)
    body = json.dumps({"owner": "someone-else", "source": {"etag": etag}})
    deployed.storage.get_blob_client(deployed.containers.failures, blob).upload_blob(body, overwrite=True)
    return blob


def _logs(deployed: Deployed, delivery: BlobDelivery, level: str) -> list[str]:
    wanted = getattr(deployed.host.protos.RpcLog, level)
    return [log.message for log in delivery.logs if log.level == wanted]


async def test_blob_name_and_failed_prefixed_name_keep_separate_outcomes(
    deployed: Deployed, corpus: Path
) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    deployed.upload("x.wav", audio)
    deployed.upload("failed/x.wav", audio)
    await deployed.blob_event("failed/x.wav")
    await deployed.blob_event("x.wav")
    etag = deployed.upload("x.wav", b"plain text now", "text/plain")
    await deployed.blob_event("x.wav")  # x.wav fails for good: failed/x.wav's transcript stays
    assert set(deployed.transcripts()) == {f"failed/x.wav.{ext}" for ext in SET}
    assert set(deployed.failures()) == {"failed/x.wav.json"}
    assert deployed.failure_json("x.wav")["source"]["etag"] == etag


# Names storage keeps as they are, which one decoding layer would turn into a way out
@pytest.mark.parametrize("name", ["%2e%2e/escape.wav", "a/%2E%2E/%2e%2e/b.wav", "c\x01.wav", "x" * 1020])
async def test_blob_event_with_invalid_name_leaves_a_record_that_fits_and_warns(
    deployed: Deployed, name: str
) -> None:
    deployed.upload(name, b"RIFF....WAVE")
    delivery = await deployed.blob_event(name)
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    record_name = f"invalid/{name_key(name)}.json"
    assert set(deployed.failures()) == {record_name} and deployed.transcripts() == {}
    record = json.loads(deployed.failures()[record_name])
    assert record["error"]["code"] == "InvalidBlobName" and record["final"] is True
    assert any("InvalidBlobName" in message for message in _logs(deployed, delivery, "Warning"))
    assert deployed.speech.requests() == []


async def test_blob_permanent_failure_is_logged_at_warning_with_name_and_code(deployed: Deployed) -> None:
    deployed.upload("notes.wav", b"meeting notes, not audio", "text/plain")
    warnings = _logs(deployed, await deployed.blob_event("notes.wav"), "Warning")
    label = privacy.blob_label("notes.wav")  # names are personal data: logs carry keyed ids
    assert any(label in m and "UnsupportedMediaType" in m for m in warnings), warnings


async def test_blob_concurrent_deliveries_make_one_speech_call(deployed: Deployed, corpus: Path) -> None:
    deployed.upload("twice.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.delay(0.5)  # the first holder is still at work when the others arrive
    deliveries = await asyncio.gather(*(deployed.blob_event("twice.wav") for _ in range(4)))
    assert {d.status for d in deliveries} == {"succeeded"}
    assert len(deployed.speech.requests()) == 1
    assert set(deployed.transcripts()) == {f"twice.wav.{ext}" for ext in SET} and deployed.failures() == {}


async def test_blob_claim_on_a_finished_version_means_no_wait_and_no_call(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("done.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("done.wav")
    etag = deployed.output_props("done.wav.json").metadata["sourceetag"]
    _claim(deployed, "done.wav", etag)  # a late holder of a finished version
    delivery = await deployed.blob_event("done.wav")
    assert delivery.status == "succeeded" and len(deployed.speech.requests()) == 1


async def test_blob_missing_containers_are_created_when_allowed(deployed: Deployed, corpus: Path) -> None:
    deployed.storage.delete_container(deployed.containers.transcripts)
    deployed.storage.delete_container(deployed.containers.failures)
    deployed.upload("fresh.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("fresh.wav")
    assert set(deployed.transcripts()) == {f"fresh.wav.{ext}" for ext in SET}


async def test_blob_missing_container_without_leave_to_create_is_an_error_and_a_retry(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREATE_CONTAINERS", "false")
    await deployed.restart()
    deployed.storage.delete_container(deployed.containers.failures)
    deployed.upload("later.wav", (corpus / "cards-001.wav").read_bytes())
    delivery = await deployed.blob_event("later.wav")
    assert delivery.status == "poisoned" and delivery.attempts == deployed.host.blobs.poison_blob_threshold
    assert all(
        f"container {deployed.containers.failures} does not exist" in (e or "") for e in delivery.errors
    )
    assert any("cannot record any outcome" in message for message in _logs(deployed, delivery, "Error"))
    assert deployed.speech.requests() == []
    for _ in range(30):  # Azurite refuses to re-create a container for a moment after deleting it
        try:
            deployed.storage.create_container(deployed.containers.failures)
            break
        except Exception:
            await asyncio.sleep(0.5)
    assert (await deployed.blob_event("later.wav")).status == "succeeded"  # the next delivery
    assert "later.wav.json" in deployed.transcripts()
