"""The Functions host's retry of a failed blob trigger, until host.json's poisonBlobThreshold.

STAND-IN until the runtime-driven host (issue 9) is on main: the host re-runs a blob-triggered
function that raised, up to `extensions.blobs.poisonBlobThreshold` tries in all (5 by default),
then writes the blob to the `webjobs-blobtrigger-poison` queue and stops. Each try is a new
invocation. Here the poison queue is a list of the same message shape; nothing else is kinder
than the host: no try beyond the threshold, no delay that a fault could hide behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.functions_host import Context, RetryContext, new_trace_parent
from tests.fixtures.functions import AppUnderTest

POISON_QUEUE = "webjobs-blobtrigger-poison"
HOST_JSON = Path(__file__).resolve().parents[2] / "host.json"


def poison_threshold() -> int:
    """host.json's extensions.blobs.poisonBlobThreshold (the host's default is 5)."""
    document = json.loads(HOST_JSON.read_text())
    return int(document.get("extensions", {}).get("blobs", {}).get("poisonBlobThreshold", 5))


@dataclass
class PoisonQueue:
    """The messages the host would put on `webjobs-blobtrigger-poison`."""

    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Delivery:
    """One event's fate: how many tries it took, whether it ended poisoned, the errors seen."""

    tries: int = 0
    poisoned: bool = False
    errors: list[str] = field(default_factory=list)


async def deliver(app: AppUnderTest, name: str, poison: PoisonQueue, threshold: int) -> Delivery:
    """Fire the blob trigger for `name` and retry it as the host does."""
    delivery = Delivery()
    for attempt in range(threshold):
        context = Context("transcribe_blob", new_trace_parent(), RetryContext(attempt, threshold - 1))
        delivery.tries += 1
        try:
            await app.blob_event(name, data=b"", context=context)
            return delivery
        except Exception as exc:  # the host logs it and tries again
            delivery.errors.append(f"{type(exc).__name__}: {getattr(exc, 'code', '')}")
    delivery.poisoned = True
    poison.messages.append(
        {
            "Type": "BlobTrigger",
            "FunctionId": "Host.Functions.transcribe_blob",
            "BlobType": "BlockBlob",
            "ContainerName": app.containers.audio,
            "BlobName": name,
        }
    )
    return delivery
