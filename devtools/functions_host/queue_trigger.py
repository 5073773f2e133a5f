"""Queue trigger deliveries: a message's text, its trigger metadata, and the dequeue-count retries.

As the Storage Queues extension does with host.json `extensions.queues`: with
`messageEncoding: none` the message text is handed over as is (`base64`, the default, decodes it
first and fails the delivery when it is not base64); a failed invocation is retried with the
dequeue count raised, and after `maxDequeueCount` tries the message is moved to
`<queue>-poison` (reported here as `poisoned`, no queue is written).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from devtools.functions_host.invocation import InvocationResult

DEFAULT_MAX_DEQUEUE_COUNT = 5


@dataclass(frozen=True)
class QueuesOptions:
    """host.json `extensions.queues`."""

    message_encoding: str = "base64"
    max_dequeue_count: int = DEFAULT_MAX_DEQUEUE_COUNT

    @classmethod
    def from_host_json(cls, app_dir: Path) -> QueuesOptions:
        path = app_dir / "host.json"
        document = json.loads(path.read_text()) if path.exists() else {}
        queues = (document.get("extensions") or {}).get("queues") or {}
        return cls(
            message_encoding=str(queues.get("messageEncoding", "base64")).lower(),
            max_dequeue_count=int(queues.get("maxDequeueCount", DEFAULT_MAX_DEQUEUE_COUNT)),
        )


@dataclass(frozen=True)
class QueueDelivery:
    """What became of one message: `succeeded`, `poisoned` or `undecodable` (never invoked)."""

    queue: str
    status: str
    invocations: tuple[InvocationResult, ...] = field(default=())

    @property
    def errors(self) -> list[str | None]:
        return [invocation.error for invocation in self.invocations]


def message_text(options: QueuesOptions, body: str) -> str | None:
    """The text the function receives; None when base64 decoding fails (the extension's error)."""
    if options.message_encoding == "none":
        return body
    try:
        return base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def invocation_data(
    protos: ModuleType, parameter: str, text: str, dequeue_count: int, message_id: str
) -> tuple[list[Any], dict[str, Any]]:
    """The trigger parameter (the message as a string) and the metadata the extension adds."""
    now = datetime.now(UTC)

    def moment(value: datetime) -> Any:
        return protos.TypedData(json=json.dumps(value.isoformat().replace("+00:00", "Z")))

    metadata = {
        "Id": protos.TypedData(string=message_id),
        "DequeueCount": protos.TypedData(json=json.dumps(dequeue_count)),
        "InsertionTime": moment(now),
        "ExpirationTime": moment(now + timedelta(days=7)),
        "NextVisibleTime": moment(now + timedelta(minutes=10)),
        "PopReceipt": protos.TypedData(string=uuid.uuid4().hex),
    }
    return [protos.ParameterBinding(name=parameter, data=protos.TypedData(string=text))], metadata
