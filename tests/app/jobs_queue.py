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
from dataclasses import dataclass

from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from devtools.functions_host import FunctionsHost, InvocationResult
from devtools.functions_host.invocation import invocation_request

FUNCTION = "run_transcription_job"


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
