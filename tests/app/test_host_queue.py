"""The host's queue listener on its own: what it does with messages no run of ours made.

The app's job tests go through it too (tests/app/jobs_queue.py); these pin the extension's rules
that the app never triggers on its own: a message already dequeued more than maxDequeueCount
times (hosts that crashed mid-run) is poisoned without an invocation, its body copied as is; a
missing queue is an empty one.
"""

from __future__ import annotations

import json
import uuid

import pytest
from azure.storage.queue import QueueClient

from devtools.functions_host.queue_listener import QueueListener
from tests.app.jobs_queue import FUNCTION, Jobs


async def test_host_queue_message_over_max_dequeue_count_is_poisoned_without_an_invocation(
    jobs: Jobs,
) -> None:
    body = json.dumps({"id": uuid.uuid4().hex})
    with QueueClient.from_connection_string(jobs.connection_string, jobs.queue) as queue:
        queue.send_message(body)
        for _ in range(jobs.app.host.queues.max_dequeue_count):  # five hosts took it and died
            [message] = list(queue.receive_messages(visibility_timeout=1))
            queue.update_message(message, visibility_timeout=0)
    [delivery] = await jobs.run()
    assert delivery.status == "poisoned" and delivery.invocations == ()
    assert jobs.poisoned() == [body]


async def test_host_queue_listener_finds_a_missing_queue_empty(
    jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = QueueListener(jobs.app.host, FUNCTION)
    monkeypatch.setattr(listener, "queue", f"missing-{uuid.uuid4().hex[:8]}")
    assert await listener.poll() == []
    assert await listener.drain() == []
