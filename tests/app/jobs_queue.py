"""Deliver the jobs queue's messages to `run_transcription_job` through Microsoft's runtime.

The host's queue listener reads the queue the function's binding names (what the app really
sent) on the binding's connection, with the extension's text, metadata, tries and poison queue,
as under `make dev` (`devtools.functions_host.queue_listener`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost, HttpResponse, QueueDelivery
from tests.fixtures.functions import AppUnderTest

FUNCTION = "run_transcription_job"
URL = "https://transcriber.azurewebsites.net/api/transcriptions"


async def deliver(host: FunctionsHost, text: str) -> QueueDelivery:
    """One message body handed straight to the function, with the queue's tries."""
    return await host.queue_message(FUNCTION, text)


def trigger_queue(host: FunctionsHost) -> str:
    """The queue the job function's binding names (TRANSCRIPTION_JOBS_QUEUE at indexing)."""
    return host.functions[FUNCTION].trigger["queueName"]


@contextlib.contextmanager
def empty_queues(connection_string: str, queue: str, **client_options: object) -> Iterator[None]:
    """The jobs queue and its poison queue, as infra creates them, empty before and after."""
    clients = [
        QueueClient.from_connection_string(connection_string, name, **client_options)
        for name in (queue, f"{queue}-poison")
    ]
    try:
        for client in clients:
            with contextlib.suppress(ResourceExistsError):
                client.create_queue()
            client.clear_messages()
        yield
    finally:
        for client in clients:
            client.clear_messages()
            client.close()


@pytest.fixture
async def jobs(deployed: AppUnderTest, azurite: Azurite) -> AsyncIterator[Jobs]:
    """The jobs queue the function listens to (and its poison queue), empty for one test."""
    queue = trigger_queue(deployed.host)
    with empty_queues(azurite.connection_string, queue):
        yield Jobs(deployed, azurite.connection_string, queue)


class Jobs:
    def __init__(self, deployed: AppUnderTest, connection_string: str, queue: str, **options: object) -> None:
        self.app, self.connection_string, self.queue = deployed, connection_string, queue
        self.options = options

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
        """Every message now queued, delivered by the host's listener to its end."""
        return await self.app.host.queue_listener(FUNCTION).drain()

    async def run_until_empty(self, timeout: float = 30.0) -> list[QueueDelivery]:
        """Deliver every message, those queued with a delay (deferrals) too, until the queue holds
        none, visible or not; fails the test after `timeout` seconds."""
        deliveries: list[QueueDelivery] = []
        deadline = time.monotonic() + timeout
        with QueueClient.from_connection_string(self.connection_string, self.queue, **self.options) as q:
            while True:
                deliveries += await self.run()
                if q.get_queue_properties().approximate_message_count == 0:
                    return deliveries
                assert time.monotonic() < deadline, f"the jobs queue still holds messages after {timeout} s"
                await asyncio.sleep(0.2)

    def poisoned(self) -> list[str]:
        poison = f"{self.queue}-poison"
        with QueueClient.from_connection_string(self.connection_string, poison, **self.options) as q:
            return [m.content for m in q.peek_messages(max_messages=32)]
