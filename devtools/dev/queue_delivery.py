"""Queue-triggered functions under `make dev` (and in tests): messages from Azurite, tries, poison.

As the Storage Queues extension does with host.json `messageEncoding: none`: the message text is
handed to the function as a string with `Id`/`DequeueCount`/`PopReceipt` metadata, a new
invocation per try until `maxDequeueCount`, then the message moves to `<queue>-poison`. When the
local host gains its own queue delivery (`FunctionsHost.queue_message`), this module shrinks to
the polling loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass

from devtools.dev import console
from devtools.functions_host import FunctionsHost, InvocationResult
from devtools.functions_host.invocation import invocation_request

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueDelivery:
    text: str
    status: str  # succeeded or poisoned
    invocations: tuple[InvocationResult, ...]


def queue_options(host: FunctionsHost) -> tuple[str, int]:
    """host.json `extensions.queues`: (messageEncoding, maxDequeueCount)."""
    document = json.loads((host.app_dir / "host.json").read_text())
    queues = (document.get("extensions") or {}).get("queues") or {}
    return str(queues.get("messageEncoding", "base64")).lower(), int(queues.get("maxDequeueCount", 5))


async def deliver(
    host: FunctionsHost, function: str, text: str, message_id: str | None = None
) -> QueueDelivery:
    info = host.functions[function]
    if info.trigger["type"] != "queueTrigger":
        raise LookupError(f"{function} is not queue-triggered")
    encoding, max_dequeue = queue_options(host)
    if encoding != "none":
        raise ValueError("this delivery hands over text as is: set host.json messageEncoding to none")
    protos, message_id = host.protos, message_id or str(uuid.uuid4())
    invocations: list[InvocationResult] = []
    for dequeue_count in range(1, max_dequeue + 1):
        data = protos.TypedData(string=text)
        metadata = {
            "Id": protos.TypedData(string=message_id),
            "DequeueCount": protos.TypedData(json=json.dumps(dequeue_count)),
            "PopReceipt": protos.TypedData(string=uuid.uuid4().hex),
        }
        binding = protos.ParameterBinding(name=info.trigger["name"], data=data)
        result = await host.invoke(
            function, invocation_request(protos, info.function_id, [binding], metadata)
        )
        invocations.append(result)
        if result.succeeded:
            return QueueDelivery(text, "succeeded", tuple(invocations))
    return QueueDelivery(text, "poisoned", tuple(invocations))


async def deliver_queue(
    host: FunctionsHost, function: str, connection: str, queue: str
) -> list[QueueDelivery]:
    """Every message now in `queue`, each delivered to the end, then deleted (or poisoned)."""
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.queue.aio import QueueClient

    deliveries = []
    async with QueueClient.from_connection_string(connection, queue) as client:
        async for message in client.receive_messages(messages_per_page=32, visibility_timeout=600):
            delivery = await deliver(host, function, message.content, message.id)
            if delivery.status == "poisoned":
                async with QueueClient.from_connection_string(connection, f"{queue}-poison") as poison:
                    with contextlib.suppress(ResourceExistsError):
                        await poison.create_queue()
                    await poison.send_message(message.content)
            await client.delete_message(message)
            deliveries.append(delivery)
    return deliveries


class QueueWatcher:
    """`make dev`: poll each queue-triggered function's queue and deliver what arrives."""

    def __init__(self, host: FunctionsHost, connection: str, *, interval: float = 1.0) -> None:
        self.host, self.connection, self.interval = host, connection, interval
        self.functions = {
            name: info.trigger["queueName"]
            for name, info in host.functions.items()
            if info.trigger["type"] == "queueTrigger"
        }

    async def run(self) -> None:
        from azure.core.exceptions import ResourceExistsError
        from azure.storage.queue.aio import QueueClient

        for queue in self.functions.values():
            async with QueueClient.from_connection_string(self.connection, queue) as client:
                with contextlib.suppress(ResourceExistsError):
                    await client.create_queue()
        while True:
            for function, queue in self.functions.items():
                started = time.perf_counter()
                try:
                    deliveries = await deliver_queue(self.host, function, self.connection, queue)
                except Exception as exc:  # keep watching, as the host's listener does
                    logger.warning("queue %s: %s", queue, exc)
                    continue
                for delivery in deliveries:
                    tries = (
                        f" after {len(delivery.invocations)} tries" if len(delivery.invocations) > 1 else ""
                    )
                    console.invocation(function, delivery.status, started, f"queue {queue}{tries}")
            await asyncio.sleep(self.interval)
