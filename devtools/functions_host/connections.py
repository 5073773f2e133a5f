"""The host's own storage clients for a trigger's connection setting.

The host, not the worker, watches the container, reads a blob's properties for the trigger
metadata and writes poison messages, with the connection the binding names: a connection
string in `<Conn>`, or `<Conn>__blobServiceUri` / `__queueServiceUri` with
`__credential=managedidentity` and `__clientId`, as Microsoft documents for identity-based
trigger connections. The clients are async (the host never blocks the worker's loop).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

# The host's own reads give up quickly (the app's retries are what the tests watch); in Azure a
# failed read leaves the event queued for a later try.
HOST_RETRIES = {"retry_total": 1, "retry_backoff_factor": 0.1}


class HostStorageError(RuntimeError):
    """The host itself could not reach storage (its own connection failed): nothing was invoked."""


class ConnectionError_(RuntimeError):
    """The binding's connection setting is missing or incomplete."""


@dataclass(frozen=True)
class TriggerConnection:
    """One connection setting, read the way the host reads it."""

    name: str
    connection_string: str | None
    blob_url: str | None
    queue_url: str | None
    client_id: str | None

    @classmethod
    def from_settings(
        cls, name: str, env: Mapping[str, str] | None = None, *, service: str = "blob"
    ) -> TriggerConnection:
        """`service` is what the trigger needs: `blob` (its blob service URI is required) or
        `queue` (a queue trigger needs only `__queueServiceUri`)."""
        env = os.environ if env is None else env
        if env.get(name):
            return cls(name, env[name], None, None, None)
        blob_url = env.get(f"{name}__blobServiceUri") or env.get(f"{name}__serviceUri")
        queue_url = env.get(f"{name}__queueServiceUri")
        if service == "blob" and not blob_url:
            raise ConnectionError_(f"connection {name!r}: set {name} or {name}__blobServiceUri")
        if service == "queue" and not queue_url:
            raise ConnectionError_(f"connection {name!r}: set {name} or {name}__queueServiceUri")
        return cls(name, None, blob_url, queue_url, env.get(f"{name}__clientId"))

    def _credential(self) -> Any:
        from azure.identity.aio import ManagedIdentityCredential

        client_id = {"client_id": self.client_id} if self.client_id else {}
        return ManagedIdentityCredential(**client_id, **HOST_RETRIES)

    @asynccontextmanager
    async def blob_service(self) -> AsyncIterator[Any]:
        from azure.storage.blob.aio import BlobServiceClient

        if not self.connection_string and not self.blob_url:
            raise ConnectionError_(f"connection {self.name!r}: {self.name}__blobServiceUri is not set")
        if self.connection_string:
            async with BlobServiceClient.from_connection_string(
                self.connection_string, **HOST_RETRIES
            ) as client:
                yield client
            return
        async with (
            self._credential() as credential,
            BlobServiceClient(self.blob_url, credential, **HOST_RETRIES) as client,
        ):
            yield client

    @asynccontextmanager
    async def queue(self, queue_name: str, *, base64: bool = True) -> AsyncIterator[Any]:
        """`base64`: messages are bytes, base64-encoded as the WebJobs queue client writes them;
        otherwise text goes and comes as is (a queue trigger reads and copies bodies untouched)."""
        from azure.storage.queue import BinaryBase64EncodePolicy
        from azure.storage.queue.aio import QueueClient

        encode = BinaryBase64EncodePolicy() if base64 else None
        if self.connection_string:
            async with QueueClient.from_connection_string(
                self.connection_string, queue_name, message_encode_policy=encode, **HOST_RETRIES
            ) as client:
                yield client
            return
        if not self.queue_url:
            raise ConnectionError_(
                f"connection {self.name!r}: {self.name}__queueServiceUri is needed for its queues"
            )
        async with (
            self._credential() as credential,
            QueueClient(
                self.queue_url, queue_name, credential, message_encode_policy=encode, **HOST_RETRIES
            ) as client,
        ):
            yield client
