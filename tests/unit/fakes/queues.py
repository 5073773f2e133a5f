"""An in-memory JobQueue: messages kept as the JSON text the real one sends, with their delay."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from tests.unit.fakes.faults import FaultPlan
from transcriber.domain.errors import ServiceError

MAX_MESSAGE_BYTES = 64 * 1024  # Azure Queue Storage refuses larger messages (413)
MAX_DELAY_SECONDS = 7 * 24 * 3600  # and visibility timeouts over seven days (400)


@dataclass(frozen=True)
class Message:
    text: str
    visible_at: float  # time.monotonic()

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.text)


class FakeJobQueue:
    def __init__(self, name: str, *, faults: FaultPlan | None = None) -> None:
        self.name = name
        self.faults = faults or FaultPlan()
        self.messages: list[Message] = []

    async def send(self, job_id: str) -> None:
        await self.send_json({"id": job_id})

    async def send_json(self, document: dict[str, Any], *, delay_seconds: int = 0) -> None:
        await asyncio.sleep(0)
        self.faults.begin("send", self.name)
        text = json.dumps(document, ensure_ascii=False)
        if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES or not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
            raise ServiceError(f"queue {self.name} refused the message: HttpResponseError", code="QueueError")
        self.messages.append(Message(text, time.monotonic() + delay_seconds))

    def visible(self) -> list[dict[str, Any]]:
        """The documents a receiver would get now (their delay is over)."""
        now = time.monotonic()
        return [m.document for m in self.messages if m.visible_at <= now]

    async def close(self) -> None:
        return None
