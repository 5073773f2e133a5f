"""Job callbacks: signed as Standard Webhooks with the destination's own secret, https only, only to
CALLBACK_ALLOWED_HOSTS, retried under one webhook-id, never the transcript.

The receiver is a real https server on loopback (the session CA's certificate); jobs go through
the host and the queue-triggered function as in test_jobs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.app.callback_receiver import SECRET, Receiver, hook, receiver_secret
from tests.app.jobs_queue import URL, Jobs
from tests.app.test_jobs import error_code


async def test_callback_is_signed_and_carries_only_id_and_status(
    jobs: Jobs, receiver: Receiver, corpus: Path
) -> None:
    body = json.dumps({"blob": "a.wav", "callbackUrl": hook(receiver)}).encode()
    jobs.app.upload("a.wav", (corpus / "cards-001.wav").read_bytes())
    accepted = await jobs.submit(body, "application/json")
    await jobs.run()
    [(headers, sent)] = receiver.calls
    # the receiver's whole check, as README shows it: its own secret, the body as received
    assert Webhook(receiver_secret(receiver)).verify(sent, headers) == {
        "id": accepted["id"],
        "status": "succeeded",
    }
    assert accepted["id"] not in headers["webhook-id"]
    status = await jobs.status_json(accepted["id"])
    assert status["callback"]["delivered"] is True


async def test_callback_is_refused_with_another_destinations_secret_or_another_body(
    jobs: Jobs, receiver: Receiver, corpus: Path
) -> None:
    """Every receiver's secret is its own: one for another origin (another port here) or the
    app's secret itself as a whsec_ verifies nothing, and a changed body fails."""
    import base64

    from transcriber.domain.callback_keys import destination_secret

    jobs.app.upload("a.wav", (corpus / "cards-001.wav").read_bytes())
    await jobs.submit(
        json.dumps({"blob": "a.wav", "callbackUrl": hook(receiver)}).encode(), "application/json"
    )
    await jobs.run()
    [(headers, sent)] = receiver.calls
    others = [
        destination_secret(SECRET, f"https://localhost:{receiver.port + 1}/hooks/transcripts"),
        destination_secret(SECRET, "https://hooks.example.com/hooks/transcripts"),
        "whsec_" + base64.b64encode(SECRET.encode()).decode(),
    ]
    for other in others:
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(sent, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(receiver_secret(receiver)).verify(sent.replace(b"succeeded", b"failed"), headers)


async def test_callback_for_body_audio_in_the_query_is_retried_with_backoff(
    jobs: Jobs, receiver: Receiver, corpus: Path
) -> None:
    receiver.fail_first = 2
    audio = (corpus / "cards-001.wav").read_bytes()
    accepted = await jobs.submit(audio, "audio/wav", f"callbackUrl={hook(receiver)}")
    await jobs.run()
    assert len(receiver.calls) == 3
    assert {json.loads(body)["status"] for _, body in receiver.calls} == {"succeeded"}
    # one delivery: every try has the same webhook-id (a receiver drops repeats by it), each verifies
    assert len({headers["webhook-id"] for headers, _ in receiver.calls}) == 1
    webhook = Webhook(receiver_secret(receiver))
    assert all(webhook.verify(body, headers) for headers, body in receiver.calls)
    status = await jobs.status_json(accepted["id"])
    assert status["callback"] == {"delivered": True, "attempts": 3, "status": 204}


async def test_callback_on_failure_says_failed(jobs: Jobs, receiver: Receiver) -> None:
    jobs.app.upload("notes.wav", b"not audio", "text/plain")
    body = json.dumps({"blob": "notes.wav", "callbackUrl": hook(receiver)}).encode()
    accepted = await jobs.submit(body, "application/json")
    await jobs.run()
    [(_, sent)] = receiver.calls
    assert json.loads(sent) == {"id": accepted["id"], "status": "failed"}


@pytest.mark.parametrize(
    "template",
    [
        "http://localhost:{port}/hooks/transcripts",  # not https
        "https://evil.example:{port}/hooks",  # host not allowed
        "https://localhost:1/hooks",  # port not allowed
        "https://localhost.evil.example:{port}/x",
        "https://user:pw@localhost:{port}/x",
        "https://evil.example@localhost:{port}/x",
        "https://localhost:{port}\\@evil.example/x",
        "file:///etc/passwd",
        "ftp://localhost:{port}/x",
        "https://127.0.0.1:{port}/x",  # the IP is not the listed name
    ],
)
async def test_callback_url_not_allowed_is_a_400_and_nothing_is_queued(
    jobs: Jobs, receiver: Receiver, template: str
) -> None:
    jobs.app.upload("a.wav", b"RIFF....WAVE")
    callback = template.format(port=receiver.port)
    body = json.dumps({"blob": "a.wav", "callbackUrl": callback}).encode()
    response = await jobs.app.call("POST", URL, body, {"Content-Type": "application/json"})
    assert response.status_code == 400 and error_code(response) == "InvalidCallbackUrl"
    assert await jobs.run() == [] and receiver.calls == []


async def test_callback_when_no_hosts_are_allowed_is_a_400(
    jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CALLBACK_ALLOWED_HOSTS", raising=False)
    jobs.app.upload("a.wav", b"RIFF....WAVE")
    body = json.dumps({"blob": "a.wav", "callbackUrl": "https://hooks.example/x"}).encode()
    response = await jobs.app.call("POST", URL, body, {"Content-Type": "application/json"})
    assert response.status_code == 400 and error_code(response) == "InvalidCallbackUrl"


async def test_callback_is_sent_once_when_two_deliveries_end_the_job_at_the_same_moment(
    jobs: Jobs, receiver: Receiver, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that ended but whose callback was not yet sent (its sender died), delivered twice at
    once: both read the record before either writes; the If-Match mark lets one of them send."""
    import asyncio

    from azure.storage.queue import QueueClient

    from transcriber.flows.jobs import outcome

    jobs.app.upload("a.wav", (corpus / "cards-001.wav").read_bytes())
    body = json.dumps({"blob": "a.wav", "callbackUrl": hook(receiver)}).encode()
    accepted = await jobs.submit(body, "application/json")
    await jobs.run()
    record_name = f"jobs/{accepted['id']}.json"
    failures = jobs.app.storage.get_container_client(jobs.app.containers.failures)
    record = json.loads(failures.download_blob(record_name).readall())
    assert record["status"] == "succeeded" and record.pop("callback")["delivered"] is True
    failures.upload_blob(record_name, json.dumps(record), overwrite=True)  # as if it died before sending
    receiver.calls.clear()

    together = asyncio.Barrier(2)
    remove_audio = outcome._remove_audio

    async def in_step(service, job):  # both deliveries are past their reads before either goes on
        await asyncio.wait_for(together.wait(), 30)
        await remove_audio(service, job)

    monkeypatch.setattr(outcome, "_remove_audio", in_step)
    with QueueClient.from_connection_string(jobs.connection_string, jobs.queue) as queue:
        for _ in range(2):
            queue.send_message(json.dumps({"id": accepted["id"]}))
    deliveries = await jobs.run()
    assert [d.status for d in deliveries] == ["succeeded", "succeeded"]
    assert len(receiver.calls) == 1
    status = await jobs.status_json(accepted["id"])
    assert status["status"] == "succeeded" and status["callback"]["delivered"] is True


async def test_callback_mark_of_a_sender_that_died_long_ago_is_taken_over(
    jobs: Jobs, receiver: Receiver, corpus: Path
) -> None:
    """A `sending` mark older than the claim timeout (the function timeout): its sender is gone."""
    from tests.app.jobs_queue import deliver

    jobs.app.upload("a.wav", (corpus / "cards-001.wav").read_bytes())
    body = json.dumps({"blob": "a.wav", "callbackUrl": hook(receiver)}).encode()
    accepted = await jobs.submit(body, "application/json")
    await jobs.run()
    record_name = f"jobs/{accepted['id']}.json"
    failures = jobs.app.storage.get_container_client(jobs.app.containers.failures)
    record = json.loads(failures.download_blob(record_name).readall())
    for since, calls in (("2099-01-01T00:00:00.000Z", 1), ("2020-01-01T00:00:00.000Z", 2)):
        record["callback"] = {"sending": True, "since": since}
        failures.upload_blob(record_name, json.dumps(record), overwrite=True)
        again = await deliver(jobs.app.host, json.dumps({"id": accepted["id"]}))
        assert again.status == "succeeded" and len(receiver.calls) == calls
    assert (await jobs.status_json(accepted["id"]))["callback"]["delivered"] is True
    # the sender that took over sent the same delivery: the receiver sees one webhook-id twice
    assert len({headers["webhook-id"] for headers, _ in receiver.calls}) == 1
