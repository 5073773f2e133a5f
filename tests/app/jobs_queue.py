"""Deliver the jobs queue's messages to `run_transcription_job` through Microsoft's runtime.

Messages are read from Azurite's queue (what the app really sent) and delivered as `make dev`
does (`devtools.dev.queue_delivery`: the extension's text, metadata, tries and poison queue).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest
from azure.storage.queue import QueueClient

from devtools.azurite import Azurite
from devtools.dev import queue_delivery
from devtools.dev.queue_delivery import QueueDelivery
from devtools.functions_host import FunctionsHost, HttpResponse
from tests.fixtures.functions import AppUnderTest

FUNCTION = "run_transcription_job"
URL = "https://transcriber.azurewebsites.net/api/transcriptions"


async def deliver(host: FunctionsHost, text: str, message_id: str | None = None) -> QueueDelivery:
    return await queue_delivery.deliver(host, FUNCTION, text, message_id)


async def deliver_all(host: FunctionsHost, connection_string: str, queue: str) -> list[QueueDelivery]:
    """Every message now in `queue`, each delivered to the end (succeeded or poisoned)."""
    return await queue_delivery.deliver_queue(host, FUNCTION, connection_string, queue)


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
