"""The storage account as the app reaches it: one aio client, checked blob clients, translated errors.

Every blob client stays in one of the app's containers; every request is a dependency, its errors translated.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from transcriber.adapters.client_options import client_options
from transcriber.adapters.identity import STORAGE_SCOPE, storage_credential
from transcriber.adapters.storage_errors import reason, storage_error
from transcriber.domain.errors import (
    AuthenticationError,
    BlobNotFoundError,
    ConditionNotMetError,
    InvalidBlobNameError,
)
from transcriber.domain.names import check_blob_name
from transcriber.domain.redaction import redacted_cause

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobServiceClient

    from transcriber.adapters.telemetry import Telemetry
    from transcriber.config.storage_connection import StorageConnection

logger = logging.getLogger(__name__)
# Download in 4 MiB requests (the SDK's first GET would otherwise hold 32 MiB at once), each
# written straight into the blob's buffer (storage.BlobStore.download).
CHUNK_BYTES = 4 * 1024 * 1024
_CLIENT_OPTIONS = {"max_single_get_size": CHUNK_BYTES, "max_chunk_get_size": CHUNK_BYTES}


class StorageClient:
    """The account's client, made on first use, and the guarded, translated way to call it."""

    def __init__(
        self,
        connection: StorageConnection,
        telemetry: Telemetry,
        credential: Any = None,
        containers: tuple[str, ...] = (),
    ) -> None:
        self.connection = connection
        self.containers = containers
        self._telemetry = telemetry
        self._credential = credential
        self._service: BlobServiceClient | None = None
        self._delegation_key: Any = None
        self._containers_ready: set[str] = set()
        self._containers_lock = asyncio.Lock()

    def _client(self) -> BlobServiceClient:
        if self._service is None:
            from azure.storage.blob.aio import BlobServiceClient

            options = {**_CLIENT_OPTIONS, **client_options()}
            if self.connection.connection_string is not None:
                self._service = BlobServiceClient.from_connection_string(
                    self.connection.connection_string, **options
                )
            else:
                if self._credential is None:
                    self._credential = storage_credential(self.connection)
                self._service = BlobServiceClient(
                    self.connection.blob_url, credential=self._credential, **options
                )
        return self._service

    def prepare(self) -> None:
        """Build the client now (it opens no connection), so the first request does not."""
        self._client()

    def _blob(self, container: str, name: str) -> Any:
        """A blob client for a checked name that stays inside one of the app's containers."""
        if self.containers and container not in self.containers:
            raise InvalidBlobNameError("the app reads and writes only its own containers")
        check_blob_name(name)
        blob = self._client().get_blob_client(container, name)
        path = unquote(urlsplit(blob.url).path)
        if not path.endswith(f"/{container}/{name}") or posixpath.normpath(path) != path:
            raise InvalidBlobNameError("the blob name would leave its container")
        return blob

    async def _check_token(self) -> None:
        """Fail in seconds when no token can be had: the storage client would retry that for ~100 s.

        The credential caches its token, so this costs nothing once a token is held.
        """
        if self._credential is None or not self.connection.uses_token:
            return
        from azure.core.exceptions import ClientAuthenticationError

        try:
            await self._credential.get_token(STORAGE_SCOPE)
        except ClientAuthenticationError as exc:
            raise AuthenticationError(f"no storage token: {reason(exc)}") from redacted_cause(exc)

    async def _call(
        self, operation: str, awaitable: Any, *, expect_missing: bool = False, conditional: bool = False
    ) -> Any:
        """Await one storage request, record it as a dependency and translate its errors.

        `expect_missing`: a 404 is an answer, not a failure (reading a record that may not exist);
        `conditional`: so are 409 and 412 (ConditionNotMetError).
        """
        from azure.core.exceptions import (
            ResourceExistsError,
            ResourceModifiedError,
            ResourceNotFoundError,
        )

        try:
            await self._check_token()
        except AuthenticationError:
            awaitable.close()  # the request coroutine is never sent
            raise
        try:
            with self._telemetry.dependency(
                type="Azure blob", target=self.connection.host, name=operation
            ) as dep:
                try:
                    return await awaitable
                except ResourceNotFoundError:
                    if not expect_missing:
                        raise
                    dep.result_code, dep.success = "404", True
                    missing = True
                except (ResourceExistsError, ResourceModifiedError) as exc:
                    if not conditional:
                        raise
                    dep.result_code, dep.success = str(exc.status_code), True
                    missing = False
            if missing:
                raise BlobNotFoundError(f"blob not found ({operation})")
            raise ConditionNotMetError(f"the condition of {operation} was not met")
        except (BlobNotFoundError, ConditionNotMetError):
            raise
        except ResourceNotFoundError as exc:
            raise BlobNotFoundError(f"blob not found ({operation})") from redacted_cause(exc)
        except Exception as exc:
            raise storage_error(exc, "storage", operation) from redacted_cause(exc)

    async def close(self) -> None:
        if self._service is not None:
            await self._service.close()
            self._service = None
        close = getattr(self._credential, "close", None)
        if close is not None:
            await close()
