"""Storage queues the app sends to: the jobs queue and the optional completion queue.

Plain JSON text: host.json's `messageEncoding: none` hands the trigger exactly what was sent.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from transcriber.adapters.identity import storage_credential
from transcriber.config.storage_connection import StorageConnection
from transcriber.domain.errors import ServiceError, SettingError
from transcriber.domain.redaction import redacted_cause


class JobQueue:
    """The aio QueueClient, made on first send and reused (one per service)."""

    def __init__(self, connection: StorageConnection, name: str, *, create: bool) -> None:
        self.connection = connection
        self.name = name
        self._create = create
        self._client: Any = None
        self._credential: Any = None  # a token credential holds its own HTTP session: closed with us

    def _queue_client(self) -> Any:
        from azure.storage.queue.aio import QueueClient

        if self.connection.connection_string is not None:
            return QueueClient.from_connection_string(self.connection.connection_string, self.name)
        if self.connection.queue_url is None:
            raise SettingError(f"{self.connection.setting}__queueServiceUri", "is needed for the jobs queue")
        self._credential = storage_credential(self.connection)
        return QueueClient(self.connection.queue_url, self.name, credential=self._credential)

    async def send(self, job_id: str) -> None:
        """Queue one job; ServiceError when the queue cannot take it."""
        await self.send_json({"id": job_id})

    async def send_json(self, document: dict[str, Any], *, delay_seconds: int = 0) -> None:
        """Send one JSON message, visible after `delay_seconds`; ServiceError when the queue cannot take it."""
        from azure.core.exceptions import AzureError, ResourceExistsError

        fresh = self._client is None
        if self._client is None:
            self._client = self._queue_client()
        try:
            # local Azurite; in Azure infra creates the queue and the app may only send to it
            if fresh and self._create:
                with contextlib.suppress(ResourceExistsError):
                    await self._client.create_queue()
            await self._client.send_message(
                json.dumps(document, ensure_ascii=False), visibility_timeout=delay_seconds or None
            )
        except AzureError as exc:
            raise ServiceError(
                f"queue {self.name} refused the message: {type(exc).__name__}", code="QueueError"
            ) from redacted_cause(exc)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._credential is not None:
            await self._credential.close()
            self._credential = None
