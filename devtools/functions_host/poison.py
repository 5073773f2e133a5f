"""Poison blobs: after `poisonBlobThreshold` failed tries the host gives up on a blob version.

The blob extension then puts a BlobTriggerMessage on the `webjobs-blobtrigger-poison` queue of
the trigger's storage account: `{"Type": "BlobTrigger", "FunctionId", "BlobType": "BlockBlob",
"ContainerName", "BlobName", "ETag"}` (Microsoft.Azure.WebJobs.Extensions.Storage.Blobs,
Listeners/BlobTriggerMessage.cs and its serialisation tests), base64-encoded as the WebJobs
queue client writes messages. The threshold (default 5) and the parallelism come from host.json.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POISON_QUEUE = "webjobs-blobtrigger-poison"
DEFAULT_THRESHOLD = 5
DEFAULT_PARALLELISM = 8


@dataclass(frozen=True)
class BlobsOptions:
    """host.json `extensions.blobs`."""

    poison_blob_threshold: int = DEFAULT_THRESHOLD
    max_degree_of_parallelism: int = DEFAULT_PARALLELISM

    @classmethod
    def from_host_json(cls, app_dir: Path) -> BlobsOptions:
        path = app_dir / "host.json"
        blobs = (
            (json.loads(path.read_text()).get("extensions") or {}).get("blobs") or {} if path.exists() else {}
        )
        return cls(
            poison_blob_threshold=int(blobs.get("poisonBlobThreshold", DEFAULT_THRESHOLD)),
            max_degree_of_parallelism=int(blobs.get("maxDegreeOfParallelism", DEFAULT_PARALLELISM)),
        )


def poison_message(function_id: str, container: str, blob_name: str, etag: str) -> dict[str, Any]:
    return {
        "Type": "BlobTrigger",
        "FunctionId": function_id,
        "BlobType": "BlockBlob",
        "ContainerName": container,
        "BlobName": blob_name,
        "ETag": etag,
    }


async def send_poison_message(connection: Any, message: dict[str, Any]) -> None:
    """Create the poison queue if needed and add the message, as the extension does."""
    from azure.core.exceptions import ResourceExistsError

    async with connection.queue(POISON_QUEUE) as queue:
        with contextlib.suppress(ResourceExistsError):
            await queue.create_queue()
        await queue.send_message(json.dumps(message).encode())
