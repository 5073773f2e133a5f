"""The queue trigger's listener: read the binding's queue, invoke, then delete, release or poison.

As the Storage Queues extension's QueueListener and QueueProcessor do
(Microsoft.Azure.WebJobs.Extensions.Storage.Queues):
- the queue is the binding's `queueName` on its `connection`: a connection string in `<Conn>`, or
  `<Conn>__queueServiceUri` with `__credential=managedidentity` and `__clientId` (Microsoft's
  identity-based connection settings for the Queue trigger), read with the host's own client;
- up to host.json `batchSize` messages are received at once (invisible for 10 minutes while they
  run) and run concurrently; the dequeue count is the queue's own, so a try survives restarts;
- success deletes the message; a failure releases it (visible again after `visibilityTimeout`,
  default 0) until its dequeue count reaches `maxDequeueCount`, then its body is copied as is to
  `<queue>-poison` (created if missing) and the message deleted; a message received with a
  dequeue count already over the limit is poisoned without an invocation;
- an empty queue is polled again after a wait that doubles from 100 ms to `maxPollingInterval`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from devtools.functions_host.connections import HostStorageError, TriggerConnection
from devtools.functions_host.invocation import InvocationResult, invocation_request
from devtools.functions_host.queue_trigger import QueueDelivery, invocation_data, message_text

if TYPE_CHECKING:
    from devtools.functions_host.host import FunctionsHost

RECEIVE_VISIBILITY_SECONDS = 600
MIN_POLLING_SECONDS = 0.1


class QueueListener:
    """One queue-triggered function's listener (tries are counted per message id)."""

    def __init__(self, host: FunctionsHost, function: str) -> None:
        info = host.functions[function]
        if info.trigger["type"] != "queueTrigger":
            raise LookupError(f"{function} is not queue-triggered")
        self.host, self.function, self.info = host, function, info
        self.queue = info.trigger["queueName"]
        self.poison_queue = f"{self.queue}-poison"
        self.connection_name = info.trigger.get("connection") or "AzureWebJobsStorage"
        self._tries: dict[str, list[InvocationResult]] = {}
        self._started: dict[str, float] = {}

    def _connection(self) -> TriggerConnection:
        """Read on each poll, as settings may change between tests (the host reads them at start)."""
        return TriggerConnection.from_settings(self.connection_name, service="queue")

    async def poll(self) -> list[QueueDelivery]:
        """One receive of up to batchSize messages, each run once; returns those now finished."""
        return (await self._poll())[0]

    async def _poll(self) -> tuple[list[QueueDelivery], int]:
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        options = self.host.queues
        async with self._connection().queue(self.queue, base64=False) as client:
            try:
                messages = [
                    message
                    async for message in client.receive_messages(
                        messages_per_page=options.batch_size,
                        max_messages=options.batch_size,
                        visibility_timeout=RECEIVE_VISIBILITY_SECONDS,
                    )
                ]
            except ResourceNotFoundError:  # no queue yet: nothing to deliver, as the host finds
                return [], 0
            except AzureError as exc:  # the message stays queued for a later poll
                raise HostStorageError(f"the host could not read queue {self.queue}: {exc}") from exc
            finished = await asyncio.gather(*(self._process(client, message) for message in messages))
        return [delivery for delivery in finished if delivery is not None], len(messages)

    async def drain(self) -> list[QueueDelivery]:
        """Poll until the queue is empty: every message now queued ends succeeded or poisoned."""
        deliveries: list[QueueDelivery] = []
        patience = self.host.queues.visibility_timeout_seconds + 1  # released messages reappear
        idle = 0.0
        while True:
            found, received = await self._poll()
            deliveries.extend(found)
            if received:
                idle = 0.0
                continue
            if not self._tries or idle >= patience:
                return deliveries
            await asyncio.sleep(MIN_POLLING_SECONDS)
            idle += MIN_POLLING_SECONDS

    async def listen(
        self,
        on_delivery: Callable[[QueueDelivery], Awaitable[None] | None] = lambda delivery: None,
        *,
        max_interval: float | None = None,
        on_error: Callable[[Exception], None] = lambda error: None,
    ) -> None:
        """Poll until cancelled, backing off while the queue is empty (a failed poll is reported)."""
        ceiling = self.host.queues.max_polling_seconds if max_interval is None else max_interval
        wait = MIN_POLLING_SECONDS
        while True:
            try:
                finished = await self.poll()
            except Exception as error:  # storage down: keep listening, as the host does
                on_error(error)
                finished = None
            for delivery in finished or ():
                result = on_delivery(delivery)
                if result is not None:
                    await result
            busy = bool(finished) or bool(self._tries)
            wait = MIN_POLLING_SECONDS if busy else min(wait * 2, max(ceiling, MIN_POLLING_SECONDS))
            await asyncio.sleep(wait)

    async def _process(self, client: Any, message: Any) -> QueueDelivery | None:
        options = self.host.queues
        tries = self._tries.setdefault(message.id, [])
        self._started.setdefault(message.id, time.perf_counter())
        if message.dequeue_count > options.max_dequeue_count:
            return await self._poison(client, message)
        text = message_text(options, message.content)
        result = None
        if text is not None:  # an undecodable body fails the binding: a failed try, no invocation
            result = await invoke_message(self.host, self.function, text, message.dequeue_count, message)
            tries.append(result)
        if result is not None and result.succeeded:
            await _ignore_gone(client.delete_message(message))
            return self._finished(message.id, "succeeded", text)
        if message.dequeue_count >= options.max_dequeue_count:
            return await self._poison(client, message)
        await _ignore_gone(
            client.update_message(message, visibility_timeout=int(options.visibility_timeout_seconds))
        )
        return None

    async def _poison(self, client: Any, message: Any) -> QueueDelivery:
        from azure.core.exceptions import ResourceExistsError

        async with self._connection().queue(self.poison_queue, base64=False) as poison:
            with contextlib.suppress(ResourceExistsError):
                await poison.create_queue()
            await poison.send_message(message.content)
        await _ignore_gone(client.delete_message(message))
        return self._finished(message.id, "poisoned", message_text(self.host.queues, message.content))

    def _finished(self, message_id: str, status: str, text: str | None) -> QueueDelivery:
        tries = tuple(self._tries.pop(message_id, ()))
        started = self._started.pop(message_id, time.perf_counter())
        return QueueDelivery(self.queue, status, tries, message_id, text, started)


async def invoke_message(
    host: FunctionsHost,
    function: str,
    text: str,
    dequeue_count: int,
    message: Any = None,
    *,
    message_id: str | None = None,
    trace_parent: str | None = None,
) -> InvocationResult:
    """One invocation of a queue-triggered function with a message's text and metadata."""
    info = host.functions[function]
    identifier = message_id or getattr(message, "id", None) or ""
    input_data, metadata = invocation_data(
        host.protos, info.trigger["name"], text, dequeue_count, identifier, message
    )
    request = invocation_request(
        host.protos, info.function_id, input_data, metadata, trace_parent=trace_parent
    )
    return await host.invoke(function, request)


async def _ignore_gone(operation: Awaitable[Any]) -> None:
    """The message or its pop receipt is gone (someone else took it over): nothing to do."""
    from azure.core.exceptions import ResourceNotFoundError

    with contextlib.suppress(ResourceNotFoundError):
        await operation
