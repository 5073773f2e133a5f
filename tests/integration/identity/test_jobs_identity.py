"""Jobs with storage reached by managed identity only: the app queues jobs, the host's queue
listener reads them, and the job function runs them, each with tokens from the local endpoint
(system- or user-assigned) against Azurite over https with OAuth; no key is configured.

The queue trigger's connection is Microsoft's identity-based form for queues:
`AudioStorage__queueServiceUri`, `AudioStorage__credential=managedidentity` and, for a
user-assigned identity, `AudioStorage__clientId`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from devtools.functions_host import HostStorageError
from devtools.functions_host.connections import TriggerConnection
from tests.app.callback_receiver import Receiver, hook
from tests.app.jobs_queue import Jobs
from tests.integration.identity.test_managed_identity import STORAGE, assert_no_key_configured


async def use_identity(jobs: Jobs, assigned: str, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The identity the app and the host sign in with: None (system-assigned) or a client id."""
    if assigned == "system":
        return None
    identity = jobs.app.tokens.add_user_assigned()
    monkeypatch.setenv("AZURE_CLIENT_ID", identity.client_id)
    monkeypatch.setenv("AudioStorage__clientId", identity.client_id)
    await jobs.app.restart()
    return identity.client_id


def identity_app_queue_url() -> str:
    return os.environ["AudioStorage__queueServiceUri"]  # noqa: SIM112 - the host's setting name


def storage_tokens(jobs: Jobs) -> list:
    return [entry for entry in jobs.app.tokens.journal if entry.resource == STORAGE]


@pytest.mark.parametrize("assigned", ["system", "user"])
async def test_identity_job_for_body_audio_polls_to_success(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch, assigned: str
) -> None:
    client_id = await use_identity(jobs, assigned, monkeypatch)
    assert_no_key_configured()
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav", "locale=en-US")
    assert (await jobs.status_json(accepted["id"]))["status"] == "queued"
    before = len(storage_tokens(jobs))
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded" and len(delivery.invocations) == 1
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and status["outputs"]
    text = await jobs.status(accepted["id"], "format=text")
    assert text.status_code == 200 and "10 of clubs" in text.get_body().decode().lower()
    assert len(storage_tokens(jobs)) > before  # the listener's reads, the job's writes
    assert {entry.client_id for entry in jobs.app.tokens.journal} == {client_id}
    assert [request.auth for request in jobs.app.speech.requests()] == ["bearer"]


@pytest.mark.parametrize("assigned", ["system", "user"])
async def test_identity_job_for_a_blob_polls_to_success(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch, assigned: str
) -> None:
    client_id = await use_identity(jobs, assigned, monkeypatch)
    jobs.app.upload("calls/a.wav", (corpus / "cards-002.wav").read_bytes())
    accepted = await jobs.submit(json.dumps({"blob": "calls/a.wav"}).encode(), "application/json")
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded"
    assert (await jobs.status_json(accepted["id"]))["status"] == "succeeded"
    assert "calls/a.wav.json" in jobs.app.transcripts()
    assert {entry.client_id for entry in jobs.app.tokens.journal} == {client_id}


async def test_identity_job_that_keeps_failing_is_poisoned_by_the_listener(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_MAX_ATTEMPTS", "5")
    jobs.app.speech.fail(500, count=1000)
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    [delivery] = await jobs.run()
    assert delivery.status == "poisoned" and len(delivery.invocations) == 5
    assert jobs.poisoned() == [json.dumps({"id": accepted["id"]})]
    assert (await jobs.status_json(accepted["id"]))["status"] == "failed"


@pytest.mark.parametrize("assigned", ["system", "user"])
async def test_identity_job_callback_is_sent(
    jobs: Jobs, receiver: Receiver, corpus: Path, monkeypatch: pytest.MonkeyPatch, assigned: str
) -> None:
    await use_identity(jobs, assigned, monkeypatch)
    audio = (corpus / "cards-001.wav").read_bytes()
    accepted = await jobs.submit(audio, "audio/wav", f"callbackUrl={hook(receiver)}")
    await jobs.run()
    [(headers, sent)] = receiver.calls
    assert json.loads(sent) == {"id": accepted["id"], "status": "succeeded"}
    assert headers["webhook-signature"].startswith("v1,") and headers["webhook-id"].startswith("msg_")
    assert (await jobs.status_json(accepted["id"]))["callback"]["delivered"] is True


async def test_identity_listener_reads_the_queue_with_the_queue_settings_alone(
    jobs: Jobs, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trigger needs __queueServiceUri (and __credential/__clientId), not the blob URI."""
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    settings = {
        "AudioStorage__queueServiceUri": identity_app_queue_url(),
        "AudioStorage__credential": "managedidentity",
    }
    connection = TriggerConnection.from_settings("AudioStorage", settings, service="queue")
    assert connection.connection_string is None and connection.blob_url is None
    async with connection.queue(jobs.queue, base64=False) as queue:
        [message] = await queue.peek_messages(max_messages=5)
    assert json.loads(message.content) == {"id": accepted["id"]}


async def test_identity_listener_without_tokens_leaves_the_message_queued(jobs: Jobs, corpus: Path) -> None:
    accepted = await jobs.submit((corpus / "cards-001.wav").read_bytes(), "audio/wav")
    jobs.app.tokens.stop()  # the host signs in with the same identity: it cannot read the queue
    with pytest.raises(HostStorageError, match="could not read queue"):
        await jobs.run()
    assert jobs.app.speech.requests() == []
    from azure.storage.queue import QueueClient

    with QueueClient.from_connection_string(jobs.connection_string, jobs.queue, **jobs.options) as queue:
        [message] = list(queue.peek_messages())
    assert json.loads(message.content) == {"id": accepted["id"]}
