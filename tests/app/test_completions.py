"""COMPLETION_QUEUE: one message per finished blob version and per finished job."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from azure.storage.queue import QueueClient

from tests.app.jobs_queue import Jobs


@pytest.fixture
def completions(jobs: Jobs, monkeypatch: pytest.MonkeyPatch):
    name = f"done-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("COMPLETION_QUEUE", name)
    client = QueueClient.from_connection_string(jobs.connection_string, name)
    client.create_queue()
    try:
        yield lambda: [json.loads(m.content) for m in client.peek_messages(max_messages=32)]
    finally:
        client.delete_queue()
        client.close()


async def test_completion_message_per_finished_blob_and_job(jobs: Jobs, completions, corpus: Path) -> None:
    jobs.app.upload("a.wav", (corpus / "cards-001.wav").read_bytes())
    jobs.app.upload("notes.wav", b"not audio", "text/plain")
    await jobs.app.blob_event("a.wav")
    await jobs.app.blob_event("notes.wav")
    await jobs.app.blob_event("a.wav")  # a repeat finishes nothing new
    [done, failed] = completions()
    assert done["kind"] == "blob" and done["blob"] == "a.wav" and done["status"] == "succeeded"
    assert "a.wav.json" in done["outputs"] and "text" not in done
    assert failed["status"] == "failed" and failed["error"]["code"]
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    await jobs.run()
    messages = completions()[2:]
    assert [m["kind"] for m in messages] == ["blob", "job"]
    assert messages[1] == {
        "kind": "job",
        "id": accepted["id"],
        "blob": f"jobs/{accepted['id']}/audio",
        "status": "succeeded",
    }


async def test_completion_queue_that_refuses_leaves_the_outcome(
    jobs: Jobs, corpus: Path, monkeypatch
) -> None:
    monkeypatch.setenv("COMPLETION_QUEUE", "no-such-queue")  # never created
    monkeypatch.setenv("CREATE_CONTAINERS", "false")
    jobs.app.upload("a.wav", (corpus / "cards-001.wav").read_bytes())
    for name in (jobs.app.containers.transcripts, jobs.app.containers.failures):
        assert jobs.app.storage.get_container_client(name).exists()
    delivery = await jobs.app.blob_event("a.wav")
    assert delivery.status == "succeeded" and "a.wav.json" in jobs.app.transcripts()
