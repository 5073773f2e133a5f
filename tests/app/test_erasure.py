"""Erasure: deleting a recording deletes its transcript set and failure record (BlobDeleted, queued)."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest

from devtools.functions_host import QueueDelivery
from tests.fixtures.functions import AppUnderTest

ACCOUNT = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"


def blob_event(container: str, name: str, event_type: str = "Microsoft.Storage.BlobDeleted") -> dict:
    """An event as Event Grid's storage queue handler enqueues it (Event Grid schema)."""
    quoted = name.replace(" ", "%20")
    return {
        "topic": ACCOUNT,
        "subject": f"/blobServices/default/containers/{container}/blobs/{name}",
        "eventType": event_type,
        "id": str(uuid.uuid4()),
        "data": {
            "api": "DeleteBlob",
            "requestId": str(uuid.uuid4()),
            "contentType": "audio/wav",
            "blobType": "BlockBlob",
            "url": f"https://st.blob.core.windows.net/{container}/{quoted}",
            "sequencer": "0000000000000000000000000000A1B2000000000000a1b2",
            "storageDiagnostics": {"batchId": str(uuid.uuid4())},
        },
        "dataVersion": "",
        "metadataVersion": "1",
        "eventTime": "2026-12-01T21:00:00.0000000Z",
    }


async def deliver(app: AppUnderTest, event: dict | str, *, encode: bool = False) -> QueueDelivery:
    """The message as Event Grid enqueues it, delivered by the host's queue trigger."""
    body = event if isinstance(event, str) else json.dumps(event)
    if encode:
        body = base64.b64encode(body.encode()).decode()
    delivery = await app.host.queue_message("erase_transcripts", body)
    return delivery


def delete_audio(app: AppUnderTest, name: str) -> None:
    app.storage.get_blob_client(app.containers.audio, name).delete_blob()


def outputs_of(app: AppUnderTest, name: str) -> set[str]:
    """The transcript files and failure record of `name`, wherever they live."""
    transcripts = {n for n in app.transcripts() if n.startswith(f"{name}.")}
    return transcripts | {n for n in app.failures() if n == f"failed/{name}.json"}


def records(app: AppUnderTest) -> set[str]:
    return {n for n in app.failures() if n.startswith("failed/")}


async def test_erasure_deleted_recording_leaves_no_transcript_or_record(
    deployed: AppUnderTest, corpus: Path
) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()
    for name in ("Jane Doe/interview.wav", "kept.wav"):
        deployed.upload(name, audio)
        await deployed.blob_event(name)
    assert outputs_of(deployed, "Jane Doe/interview.wav") == {
        f"Jane Doe/interview.wav.{fmt}" for fmt in ("json", "txt", "srt", "vtt")
    }

    delete_audio(deployed, "Jane Doe/interview.wav")
    await deliver(deployed, blob_event(deployed.containers.audio, "Jane Doe/interview.wav"))

    assert outputs_of(deployed, "Jane Doe/interview.wav") == set()
    assert outputs_of(deployed, "kept.wav") == {f"kept.wav.{fmt}" for fmt in ("json", "txt", "srt", "vtt")}


async def test_erasure_deleted_bad_file_removes_its_failure_record(deployed: AppUnderTest) -> None:
    deployed.upload("notes.wav", b"typed notes, not audio", "text/plain")
    await deployed.blob_event("notes.wav")
    assert records(deployed) == {"failed/notes.wav.json"}

    delete_audio(deployed, "notes.wav")
    await deliver(deployed, blob_event(deployed.containers.audio, "notes.wav"), encode=True)
    assert deployed.transcripts() == {} and records(deployed) == set()


async def test_erasure_repeated_delivery_is_a_no_op(deployed: AppUnderTest, corpus: Path) -> None:
    deployed.upload("twice.wav", (corpus / "cards-002.wav").read_bytes())
    await deployed.blob_event("twice.wav")
    delete_audio(deployed, "twice.wav")
    event = blob_event(deployed.containers.audio, "twice.wav")
    for encode in (False, True, False):  # duplicates, in both queue encodings
        assert (await deliver(deployed, event, encode=encode)).status == "succeeded"
    assert deployed.transcripts() == {} and records(deployed) == set()


async def test_erasure_recording_uploaded_again_keeps_its_new_transcripts(
    deployed: AppUnderTest, corpus: Path
) -> None:
    deployed.upload("again.wav", (corpus / "cards-003.wav").read_bytes())
    await deployed.blob_event("again.wav")
    delete_audio(deployed, "again.wav")
    deployed.upload("again.wav", (corpus / "cards-001.wav").read_bytes())  # before the event is handled
    await deliver(deployed, blob_event(deployed.containers.audio, "again.wav"))
    assert "again.wav.json" in deployed.transcripts()


@pytest.mark.parametrize(
    "event_type, container",
    [("Microsoft.Storage.BlobCreated", None), ("Microsoft.Storage.BlobDeleted", "other-container")],
    ids=["created", "other-container"],
)
async def test_erasure_other_events_delete_nothing(
    deployed: AppUnderTest, corpus: Path, event_type: str, container: str | None
) -> None:
    deployed.upload("stay.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("stay.wav")
    before = set(deployed.transcripts())
    delete_audio(deployed, "stay.wav")
    await deliver(deployed, blob_event(container or deployed.containers.audio, "stay.wav", event_type))
    assert set(deployed.transcripts()) == before


@pytest.mark.parametrize("body", ["not json at all", "[1, 2]", "\u00e9t\u00e9"])
async def test_erasure_malformed_message_fails_so_the_host_retries_then_poisons_it(
    deployed: AppUnderTest, body: str
) -> None:
    delivery = await deliver(deployed, body)
    assert delivery.status == "poisoned" and len(delivery.invocations) == 5  # host.json maxDequeueCount
    assert all("erasure queue message" in (error or "") for error in delivery.errors)


async def test_erasure_message_that_is_not_an_event_is_ignored(deployed: AppUnderTest) -> None:
    assert (await deliver(deployed, json.dumps({"subject": 3}))).status == "succeeded"


async def test_erasure_event_naming_a_dot_segment_is_refused(deployed: AppUnderTest) -> None:
    delivery = await deliver(deployed, blob_event(deployed.containers.audio, "a/../../transcripts/x.wav"))
    assert delivery.status == "poisoned" and "impossible blob" in (delivery.errors[0] or "")


def test_erasure_function_is_a_queue_trigger_on_the_erasure_queue(deployed: AppUnderTest) -> None:
    (trigger,) = deployed.host.bindings("erase_transcripts")
    assert (trigger["type"], trigger["direction"]) == ("queueTrigger", "IN")
    assert (trigger["queueName"], trigger["connection"]) == ("blob-deleted", "AudioStorage")


async def test_erasure_recording_deleted_while_it_is_transcribed_leaves_nothing(
    deployed: AppUnderTest, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its BlobDeleted event is handled before the transcripts exist; they must not outlive it."""
    from transcriber.adapters.speech import SpeechClient

    deployed.upload("racing.wav", (corpus / "cards-001.wav").read_bytes())
    original = SpeechClient.transcribe

    async def delete_meanwhile(self: SpeechClient, *args: object, **kwargs: object) -> dict:
        result = await original(self, *args, **kwargs)
        delete_audio(deployed, "racing.wav")
        await deliver(deployed, blob_event(deployed.containers.audio, "racing.wav"))
        return result

    monkeypatch.setattr(SpeechClient, "transcribe", delete_meanwhile)
    await deployed.blob_event("racing.wav")
    assert deployed.transcripts() == {}


async def test_erasure_bad_file_deleted_while_it_is_checked_leaves_no_record(
    deployed: AppUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transcriber.flows import outcomes as recording

    deployed.upload("racing-notes.wav", b"typed notes", "text/plain")
    original = recording.write_failure

    async def delete_first(*args: object, **kwargs: object) -> None:
        delete_audio(deployed, "racing-notes.wav")
        await deliver(deployed, blob_event(deployed.containers.audio, "racing-notes.wav"))
        await original(*args, **kwargs)

    monkeypatch.setattr(recording, "write_failure", delete_first)
    await deployed.blob_event("racing-notes.wav")
    assert deployed.transcripts() == {} and records(deployed) == set()
