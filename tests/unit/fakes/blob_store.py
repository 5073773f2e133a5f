"""An in-memory BlobStore: the methods the flows call, with Azurite's answers.

As `transcriber.adapters.blob_store` translates them: a missing blob or container is
BlobNotFoundError (None or False where the real one expects absence); a failed `if_absent`
(409) or `if_etag` (412, also for a missing blob) is ConditionNotMetError; a read of a version
that has changed is a 412 the real client does not expect, so a transient ServiceError. Etags
change on every write, come quoted from `write`/`read_record` and bare in BlobInfo, and match
either way (as Azurite's If-Match does); last-modified times have whole seconds, as the
service's headers do.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.unit.fakes.faults import FaultPlan
from transcriber.adapters.blob_store import ETAG_METADATA
from transcriber.config.storage_connection import StorageConnection
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import (
    BlobNotFoundError,
    ConditionNotMetError,
    ContainerMissingError,
    InvalidBlobNameError,
    ServiceError,
)
from transcriber.domain.names import check_blob_name

_etags = itertools.count(0x1000)


@dataclass
class StoredBlob:
    data: bytes
    content_type: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    etag: str = field(default_factory=lambda: f"0x8DD{next(_etags):012X}")
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))


class FakeBlobStore:
    """Containers of blobs in dicts; every operation yields to the loop and asks the fault plan."""

    def __init__(
        self,
        connection: StorageConnection,
        *,
        containers: tuple[str, ...] = (),
        existing: tuple[str, ...] = (),
        faults: FaultPlan | None = None,
    ) -> None:
        self.connection = connection
        self.containers = containers
        self.faults = faults or FaultPlan()
        self.account: dict[str, dict[str, StoredBlob]] = {name: {} for name in existing}
        self.slow_writes: dict[str, float] = {}  # blob name -> seconds a write of it takes to land
        self._ready: set[str] = set()
        self._lock = asyncio.Lock()

    # -- the test's own hands on the account (no faults, no checks) -------------------------
    def upload(self, container: str, name: str, data: bytes, content_type: str = "audio/wav") -> str:
        """A user's upload: a new version of the blob; its bare etag."""
        stored = StoredBlob(data, content_type)
        self.account.setdefault(container, {})[name] = stored
        return stored.etag

    def remove(self, container: str, name: str) -> None:
        self.account.get(container, {}).pop(name, None)

    def blob(self, container: str, name: str) -> StoredBlob | None:
        return self.account.get(container, {}).get(name)

    def names(self, container: str, prefix: str = "") -> list[str]:
        return sorted(n for n in self.account.get(container, {}) if n.startswith(prefix))

    def snapshot(self) -> dict[tuple[str, str], str]:
        """Every blob's etag: equal snapshots mean nothing was written or deleted between them."""
        return {(c, n): b.etag for c, blobs in self.account.items() for n, b in blobs.items()}

    # -- BlobStore ----------------------------------------------------------------------------
    async def _begin(self, operation: str, name: str = "") -> None:
        await asyncio.sleep(0)  # a request: other tasks run meanwhile
        self.faults.begin(operation, name)

    async def _end(self, operation: str, name: str = "") -> None:
        await asyncio.sleep(0)
        self.faults.end(operation, name)

    def _check(self, container: str, name: str) -> None:
        if self.containers and container not in self.containers:
            raise InvalidBlobNameError("the app reads and writes only its own containers")
        check_blob_name(name)

    def _container(self, container: str, operation: str) -> dict[str, StoredBlob]:
        if container not in self.account:
            raise BlobNotFoundError(f"blob not found ({operation})")  # ContainerNotFound is a 404 too
        return self.account[container]

    def _get(self, container: str, name: str, operation: str) -> StoredBlob:
        stored = self._container(container, operation).get(name)
        if stored is None:
            raise BlobNotFoundError(f"blob not found ({operation})")
        return stored

    @staticmethod
    def _info(container: str, name: str, stored: StoredBlob, *, with_time: bool = True) -> BlobInfo:
        return BlobInfo(
            container,
            name,
            stored.etag,
            len(stored.data),
            stored.content_type,
            stored.last_modified if with_time else None,
        )

    async def ensure_containers(self, names: tuple[str, ...], *, create: bool) -> None:
        async with self._lock:
            for name in [n for n in names if n not in self._ready]:
                await self._begin("ensure_containers", name)
                if name not in self.account:
                    if not create:
                        raise ContainerMissingError(f"container {name} does not exist")
                    self.account[name] = {}
                self._ready.add(name)

    async def properties(self, container: str, name: str) -> BlobInfo:
        self._check(container, name)
        await self._begin("properties", name)
        info = self._info(container, name, self._get(container, name, "GetBlobProperties"))
        await self._end("properties", name)
        return info

    async def read_start(self, container: str, name: str, length: int) -> tuple[BlobInfo, bytes]:
        self._check(container, name)
        await self._begin("read_start", name)
        stored = self._get(container, name, "GetBlob")
        found = self._info(container, name, stored), stored.data[:length]
        await self._end("read_start", name)
        return found

    async def list_blobs(self, container: str, prefix: str | None = None) -> list[BlobInfo]:
        await self._begin("list_blobs")
        blobs = self._container(container, "ListBlobs")
        found = [
            self._info(container, n, blobs[n], with_time=False)
            for n in sorted(blobs)
            if n.startswith(prefix or "")
        ]
        await self._end("list_blobs")
        return found

    async def list_names(
        self, container: str, prefix: str, *, limit: int, marker: str | None = None
    ) -> tuple[list[str], str | None]:
        """As the service pages: the marker is the first name of the next page."""
        await self._begin("list_names", prefix)
        blobs = self._container(container, "ListBlobs")
        found = [n for n in sorted(blobs) if n.startswith(prefix) and (marker is None or n >= marker)]
        await self._end("list_names", prefix)
        return found[:limit], found[limit] if len(found) > limit else None

    async def read_range(self, container: str, name: str, offset: int, length: int) -> tuple[BlobInfo, bytes]:
        self._check(container, name)
        await self._begin("read_range", name)
        stored = self._get(container, name, "GetBlob")
        found = self._info(container, name, stored), stored.data[offset : offset + length]
        await self._end("read_range", name)
        return found

    def _version(self, info: BlobInfo, operation: str) -> StoredBlob:
        stored = self._get(info.container, info.name, operation)
        if _bare(stored.etag) != _bare(info.etag):
            raise ServiceError(f"storage {operation} failed (412): ConditionNotMet", code="StorageError")
        return stored

    async def read_head(self, info: BlobInfo, length: int) -> bytes:
        self._check(info.container, info.name)
        await self._begin("read_head", info.name)
        data = self._version(info, "GetBlob").data[:length]
        await self._end("read_head", info.name)
        return data

    async def download(self, info: BlobInfo, head: bytes = b"") -> bytearray:
        buffer = bytearray(info.size)
        buffer[: len(head)] = head
        if len(head) >= info.size:
            return buffer
        self._check(info.container, info.name)
        await self._begin("download", info.name)
        buffer[len(head) :] = self._version(info, "GetBlob").data[len(head) :]
        await self._end("download", info.name)
        return buffer

    async def read_json(self, container: str, name: str) -> dict[str, Any] | None:
        found = await self.read_record(container, name)
        return found[0] if found else None

    async def read_record(self, container: str, name: str) -> tuple[dict[str, Any], str, datetime] | None:
        self._check(container, name)
        await self._begin("read_record", name)
        stored = self._container(container, "GetBlob").get(name)
        await self._end("read_record", name)
        if stored is None:
            return None
        return json.loads(stored.data), f'"{stored.etag}"', stored.last_modified

    async def source_etag(self, container: str, name: str) -> str | None:
        self._check(container, name)
        await self._begin("source_etag", name)
        stored = self._container(container, "GetBlobProperties").get(name)
        await self._end("source_etag", name)
        return stored.metadata.get(ETAG_METADATA) if stored else None

    async def write(
        self,
        container: str,
        name: str,
        body: str | bytes | memoryview,
        content_type: str,
        source_etag: str | None = None,
        *,
        if_absent: bool = False,
        if_etag: str | None = None,
    ) -> str:
        self._check(container, name)
        await self._begin("write", name)
        if name in self.slow_writes:  # sent, and slow to land
            await asyncio.sleep(self.slow_writes[name])
        blobs = self._container(container, "PutBlob")
        current = blobs.get(name)
        if if_absent and current is not None:
            raise ConditionNotMetError("the condition of PutBlob was not met")  # 409 BlobAlreadyExists
        if if_etag is not None and (current is None or _bare(if_etag) != _bare(current.etag)):
            raise ConditionNotMetError("the condition of PutBlob was not met")  # 412, for a missing blob too
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        stored = StoredBlob(data, content_type, {ETAG_METADATA: source_etag} if source_etag else {})
        blobs[name] = stored
        await self._end("write", name)
        return f'"{stored.etag}"'

    async def delete(self, container: str, name: str, *, if_etag: str | None = None) -> bool:
        self._check(container, name)
        await self._begin("delete", name)
        blobs = self.account.get(container, {})
        current = blobs.get(name)
        if current is None or (if_etag is not None and _bare(if_etag) != _bare(current.etag)):
            await self._end("delete", name)
            return False
        del blobs[name]
        await self._end("delete", name)
        return True

    async def read_sas_url(self, info: BlobInfo, lifetime: timedelta) -> str:
        return await self._sas_url(info.container, info.name, "r", lifetime)

    async def upload_sas_url(self, container: str, name: str, lifetime: timedelta) -> str:
        return await self._sas_url(container, name, "c", lifetime)

    async def _sas_url(self, container: str, name: str, permission: str, lifetime: timedelta) -> str:
        self._check(container, name)
        await self._begin("sas_url", name)
        expiry = (datetime.now(UTC) + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.connection.blob_url}/{container}/{name}?sp={permission}&se={expiry}&sig=fake"

    async def check_container(self, container: str, timeout: float) -> None:
        await self._begin("check_container")
        if container not in self.account:
            raise BlobNotFoundError("blob not found (GetContainerProperties)")

    def prepare(self) -> None:
        return None

    async def close(self) -> None:
        return None


def _bare(etag: str) -> str:
    return etag.strip('"')
