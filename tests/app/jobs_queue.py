"""Deliver the jobs queue's messages to `run_transcription_job` through Microsoft's runtime.

Messages are read from Azurite's queue (what the app really sent) and handed to the runtime as
the Storage Queues extension does with host.json's `messageEncoding: none`: the text as a
string, `Id`/`DequeueCount`/`PopReceipt` metadata, a new invocation per try until
`maxDequeueCount`, then the message moves to `<queue>-poison`. When the host gains its own
queue delivery (`FunctionsHost.queue_message`), this helper is the place to switch to it.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost, HttpResponse, InvocationResult
from devtools.functions_host.invocation import invocation_request
from tests.fixtures.functions import AppUnderTest

FUNCTION = "run_transcription_job"
URL = "https://transcriber.azurewebsites.net/api/transcriptions"


@dataclass(frozen=True)
class QueueDelivery:
    text: str
    status: str  # succeeded or poisoned
    invocations: tuple[InvocationResult, ...]


def max_dequeue_count(host: FunctionsHost) -> int:
    document = json.loads((host.app_dir / "host.json").read_text())
    queues = document["extensions"]["queues"]
    assert queues["messageEncoding"] == "none"  # the app sends plain text
    return int(queues["maxDequeueCount"])


async def deliver(host: FunctionsHost, text: str, message_id: str | None = None) -> QueueDelivery:
    info = host.functions[FUNCTION]
    assert info.trigger["type"] == "queueTrigger"
    protos, message_id = host.protos, message_id or str(uuid.uuid4())
    invocations: list[InvocationResult] = []
    for dequeue_count in range(1, max_dequeue_count(host) + 1):
        data = protos.TypedData(string=text)
        metadata = {
            "Id": protos.TypedData(string=message_id),
            "DequeueCount": protos.TypedData(json=json.dumps(dequeue_count)),
            "PopReceipt": protos.TypedData(string=uuid.uuid4().hex),
        }
        request = invocation_request(
            protos,
            info.function_id,
            [protos.ParameterBinding(name=info.trigger["name"], data=data)],
            metadata,
        )
        result = await host.invoke(FUNCTION, request)
        invocations.append(result)
        if result.succeeded:
            return QueueDelivery(text, "succeeded", tuple(invocations))
    return QueueDelivery(text, "poisoned", tuple(invocations))


async def deliver_all(host: FunctionsHost, connection_string: str, queue: str) -> list[QueueDelivery]:
    """Every message now in `queue`, each delivered to the end (succeeded or poisoned)."""
    deliveries = []
    with QueueClient.from_connection_string(connection_string, queue) as client:
        for message in client.receive_messages(messages_per_page=32, visibility_timeout=600):
            delivery = await deliver(host, message.content, message.id)
            if delivery.status == "poisoned":
                with QueueClient.from_connection_string(connection_string, f"{queue}-poison") as poison:
                    with contextlib.suppress(ResourceExistsError):
                        poison.create_queue()
                    poison.send_message(message.content)
            client.delete_message(message)
            deliveries.append(delivery)
    return deliveries


@pytest.fixture
async def jobs(
    deployed: AppUnderTest, azurite: Azurite, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Jobs]:
    """A fresh jobs queue (and its poison queue) for one test, as infra creates them."""
    queue = f"jobs-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("TRANSCRIPTION_JOBS_QUEUE", queue)
    clients = [
        QueueClient.from_connection_string(azurite.connection_string, n) for n in (queue, f"{queue}-poison")
    ]
    for client in clients:
        client.create_queue()
    try:
        yield Jobs(deployed, azurite, queue)
    finally:
        for client in clients:
            client.delete_queue()
            client.close()


class Jobs:
    def __init__(self, deployed: AppUnderTest, azurite: Azurite, queue: str) -> None:
        self.app, self.azurite, self.queue = deployed, azurite, queue

    async def submit(self, body: bytes, content_type: str, query: str = "") -> dict:
        response = await self.app.call("POST", f"{URL}?{query}", body, {"Content-Type": content_type})
        assert response.status_code == 202, response.get_body()
        accepted = json.loads(response.get_body())
        assert accepted["status"] == "queued"
        assert response.headers["Location"] == f"{URL}/{accepted['id']}" == accepted["location"]
        return accepted

    async def status(self, job_id: str, query: str = "") -> HttpResponse:
        return await self.app.call("GET", f"{URL}/{job_id}{'?' + query if query else ''}")

    async def status_json(self, job_id: str) -> dict:
        response = await self.status(job_id)
        assert response.status_code == 200, response.get_body()
        return json.loads(response.get_body())

    async def run(self) -> list[QueueDelivery]:
        return await deliver_all(self.app.host, self.azurite.connection_string, self.queue)

    def poisoned(self) -> list[str]:
        with QueueClient.from_connection_string(self.azurite.connection_string, f"{self.queue}-poison") as q:
            return [m.content for m in q.peek_messages(max_messages=32)]
