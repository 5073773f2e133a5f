"""Queue trigger deliveries: a message's text, its trigger metadata, host.json's queue options.

As the Storage Queues extension does with host.json `extensions.queues`: with
`messageEncoding: none` the message text is handed over as is (`base64`, the default, decodes it
first and fails the delivery when it is not base64). `queue_listener` reads the trigger's queue
and retries, releases and poisons as the extension does; `FunctionsHost.queue_message` hands one
message straight to the function with the same tries (no queue involved).
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
DEFAULT_BATCH_SIZE = 16
DEFAULT_MAX_POLLING_SECONDS = 60.0


@dataclass(frozen=True)
class QueuesOptions:
    """host.json `extensions.queues`."""

    message_encoding: str = "base64"
    max_dequeue_count: int = DEFAULT_MAX_DEQUEUE_COUNT
    batch_size: int = DEFAULT_BATCH_SIZE
    visibility_timeout_seconds: float = 0.0
    max_polling_seconds: float = DEFAULT_MAX_POLLING_SECONDS

    @classmethod
    def from_host_json(cls, app_dir: Path) -> QueuesOptions:
        path = app_dir / "host.json"
        document = json.loads(path.read_text()) if path.exists() else {}
        queues = (document.get("extensions") or {}).get("queues") or {}
        return cls(
            message_encoding=str(queues.get("messageEncoding", "base64")).lower(),
            max_dequeue_count=int(queues.get("maxDequeueCount", DEFAULT_MAX_DEQUEUE_COUNT)),
            batch_size=int(queues.get("batchSize", DEFAULT_BATCH_SIZE)),
            visibility_timeout_seconds=_timespan(queues.get("visibilityTimeout"), 0.0),
            max_polling_seconds=_timespan(queues.get("maxPollingInterval"), DEFAULT_MAX_POLLING_SECONDS),
        )


def _timespan(value: object, default: float) -> float:
    """host.json's TimeSpan (`hh:mm:ss`) or milliseconds (maxPollingInterval takes both)."""
    if value is None:
        return default
    if isinstance(value, int | float):
        return float(value) / 1000
    hours, minutes, seconds = str(value).split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@dataclass(frozen=True)
class QueueDelivery:
    """What became of one message: `succeeded`, `poisoned` or `undecodable` (never invoked)."""

    queue: str
    status: str
    invocations: tuple[InvocationResult, ...] = field(default=())
    message_id: str = ""
    text: str | None = None
    started: float = 0.0  # time.perf_counter() at the first try

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
    protos: ModuleType,
    parameter: str,
    text: str,
    dequeue_count: int,
    message_id: str,
    message: Any = None,
) -> tuple[list[Any], dict[str, Any]]:
    """The trigger parameter (the message as a string) and the metadata the extension adds:
    a received `message`'s own times and pop receipt, or made-up ones for a direct delivery."""
    now = datetime.now(UTC)

    def moment(value: datetime) -> Any:
        return protos.TypedData(json=json.dumps(value.isoformat().replace("+00:00", "Z")))

    inserted = getattr(message, "inserted_on", None) or now
    expires = getattr(message, "expires_on", None) or now + timedelta(days=7)
    visible = getattr(message, "next_visible_on", None) or now + timedelta(minutes=10)
    receipt = getattr(message, "pop_receipt", None) or uuid.uuid4().hex
    metadata = {
        "Id": protos.TypedData(string=message_id),
        "DequeueCount": protos.TypedData(json=json.dumps(dequeue_count)),
        "InsertionTime": moment(inserted),
        "ExpirationTime": moment(expires),
        "NextVisibleTime": moment(visible),
        "PopReceipt": protos.TypedData(string=receipt),
    }
    return [protos.ParameterBinding(name=parameter, data=protos.TypedData(string=text))], metadata
