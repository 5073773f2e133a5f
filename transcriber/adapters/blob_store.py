"""Blob Storage operations: audio in, transcripts and failure records out, read-only SAS URLs.

Conditional writes (`if_absent`, `if_etag`) are what the claims' create and takeover rest on.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from transcriber.adapters.audio_buffer import BufferReader, BufferWriter
from transcriber.adapters.blob_client import StorageClient
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import (
    AuthenticationError,
    BlobNotFoundError,
    ConditionNotMetError,
    ContainerMissingError,
)

logger = logging.getLogger(__name__)
__all__ = ["ETAG_METADATA", "BlobStore"]
ETAG_METADATA = "sourceetag"


class BlobStore(StorageClient):
    """The audio, transcripts and failures containers of one storage account."""

    async def ensure_containers(self, names: tuple[str, ...], *, create: bool) -> None:
        """Once per store and name: each container exists, created when allowed, else
        ContainerMissingError. Concurrent callers (the warm-up, a first invocation) check once."""
        async with self._containers_lock:
            await self._ensure_containers([n for n in names if n not in self._containers_ready], create)

    async def _ensure_containers(self, names: list[str], create: bool) -> None:
        for name in names:
            container = self._client().get_container_client(name)
            if await self._call("GetContainerProperties", container.exists()):
                self._containers_ready.add(name)
                continue
            if not create:
                raise ContainerMissingError(
                    f"container {name} does not exist: create it (infra/app/storage.bicep does), or set "
                    "CREATE_CONTAINERS=true where the app may create containers"
                )
            try:
                await self._call("CreateContainer", container.create_container(), conditional=True)
                logger.info("created container %s", name)
            except ConditionNotMetError:
                pass  # created meanwhile by another instance
            except AuthenticationError:
                raise ContainerMissingError(
                    f"container {name} does not exist and this identity may not create it: create it "
                    "(infra/app/storage.bicep does)"
                ) from None
            self._containers_ready.add(name)

    async def properties(self, container: str, name: str) -> BlobInfo:
        """The blob's current version; BlobNotFoundError when it is gone."""
        blob = self._blob(container, name)
        props = await self._call("GetBlobProperties", blob.get_blob_properties())
        return BlobInfo(
            container=container,
            name=name,
            etag=props.etag.strip('"'),
            size=props.size,
            content_type=props.content_settings.content_type,
            last_modified=props.last_modified,
        )

    async def read_start(self, container: str, name: str, length: int) -> tuple[BlobInfo, bytes]:
        """The blob's current version and its first `length` bytes, in one ranged GET.

        One request instead of GetBlobProperties then a range read: the response carries the
        etag, the whole size (Content-Range) and the content type. BlobNotFoundError when gone.
        """
        return await self.read_range(container, name, 0, length)

    async def list_blobs(self, container: str, prefix: str | None = None) -> list[BlobInfo]:
        """Every current blob under `prefix`, names as stored (the caller checks them)."""
        client = self._client().get_container_client(container)

        async def collect() -> list[BlobInfo]:
            return [
                BlobInfo(container, b.name, b.etag.strip('"'), b.size, b.content_settings.content_type)
                async for b in client.list_blobs(name_starts_with=prefix or None)
            ]

        return await self._call("ListBlobs", collect())

    async def list_names(
        self, container: str, prefix: str, *, limit: int, marker: str | None = None
    ) -> tuple[list[str], str | None]:
        """One page of up to `limit` names under `prefix`, in name order, from `marker` (the
        service's continuation token); with the token for the next page, or None at the end."""
        client = self._client().get_container_client(container)

        async def page() -> tuple[list[str], str | None]:
            pages = client.list_blob_names(name_starts_with=prefix, results_per_page=limit).by_page(
                continuation_token=marker or None
            )
            try:
                found = [name async for name in await pages.__anext__()]
            except StopAsyncIteration:
                return [], None
            return found, pages.continuation_token or None

        return await self._call("ListBlobs", page())

    async def read_range(self, container: str, name: str, offset: int, length: int) -> tuple[BlobInfo, bytes]:
        """The blob's current version (its whole size) and up to `length` bytes from `offset`;
        BlobNotFoundError when it is gone. An offset at or past the end reads nothing."""
        blob = self._blob(container, name)

        async def read() -> tuple[Any, bytes]:
            from azure.core.exceptions import HttpResponseError

            try:
                stream = await blob.download_blob(offset=offset, length=length)
            except HttpResponseError as exc:
                if exc.status_code != 416:
                    raise
                return await blob.get_blob_properties(), b""  # nothing there to read
            return stream.properties, await stream.readall()

        props, data = await self._call("GetBlob", read())
        content_range = props.content_range or ""
        size = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else props.size
        info = BlobInfo(
            container=container,
            name=name,
            etag=props.etag.strip('"'),
            size=size,
            content_type=props.content_settings.content_type,
            last_modified=props.last_modified,
        )
        return info, data

    async def read_head(self, info: BlobInfo, length: int) -> bytes:
        """The first `length` bytes of exactly this version (a range read: headers, sniffing)."""
        from azure.core import MatchConditions

        blob = self._blob(info.container, info.name)

        async def read() -> bytes:
            stream = await blob.download_blob(
                offset=0, length=length, etag=f'"{info.etag}"', match_condition=MatchConditions.IfNotModified
            )
            return await stream.readall()

        return await self._call("GetBlob", read())

    async def download(self, info: BlobInfo, head: bytes = b"") -> bytearray:
        """Exactly the version described by `info` (a newer upload makes this fail, not mix).

        The bytes land in one buffer of the blob's size, chunk by chunk, so the audio is held
        once; `head`, when already read, is not fetched again.
        """
        from azure.core import MatchConditions

        buffer = bytearray(info.size)
        buffer[: len(head)] = head
        if len(head) >= info.size:
            return buffer
        blob = self._blob(info.container, info.name)

        async def read() -> None:
            stream = await blob.download_blob(
                offset=len(head), etag=f'"{info.etag}"', match_condition=MatchConditions.IfNotModified
            )
            await stream.readinto(BufferWriter(memoryview(buffer)[len(head) :]))

        await self._call("GetBlob", read())
        return buffer

    async def read_json(self, container: str, name: str) -> dict[str, Any] | None:
        """A small JSON record, or None when absent."""
        found = await self.read_record(container, name)
        return found[0] if found else None

    async def read_record(self, container: str, name: str) -> tuple[dict[str, Any], str, datetime] | None:
        """A small JSON record with its etag and last-modified time, or None when absent."""
        blob = self._blob(container, name)
        try:
            stream = await self._call("GetBlob", blob.download_blob(), expect_missing=True)
        except BlobNotFoundError:
            return None
        body = await self._call("GetBlob", stream.readall())
        return json.loads(body), stream.properties.etag, stream.properties.last_modified

    async def source_etag(self, container: str, name: str) -> str | None:
        """The source etag an output was written for (its metadata), or None when absent."""
        blob = self._blob(container, name)
        try:
            props = await self._call("GetBlobProperties", blob.get_blob_properties(), expect_missing=True)
        except BlobNotFoundError:
            return None
        return props.metadata.get(ETAG_METADATA)

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
        """Write and return the new etag; `if_absent`/`if_etag` make it conditional (ConditionNotMetError)."""
        from azure.core import MatchConditions
        from azure.storage.blob import ContentSettings

        blob = self._blob(container, name)
        data: bytes | BufferReader
        if isinstance(body, memoryview):  # the SDK would iterate a view byte by byte; a copy is no better
            data = BufferReader(body)
        else:
            data = body.encode("utf-8") if isinstance(body, str) else body
        metadata = {ETAG_METADATA: source_etag} if source_etag else None
        conditions: dict[str, Any] = {}
        if if_etag is not None:
            conditions = {"etag": if_etag, "match_condition": MatchConditions.IfNotModified}
        written = await self._call(
            "PutBlob",
            blob.upload_blob(
                data,
                length=body.nbytes if isinstance(body, memoryview) else None,
                overwrite=not if_absent,  # overwrite=False sends If-None-Match: *
                metadata=metadata,
                content_settings=ContentSettings(content_type=content_type),
                **conditions,
            ),
            conditional=if_absent or bool(conditions),
        )
        return str(written["etag"])

    async def delete(self, container: str, name: str, *, if_etag: str | None = None) -> bool:
        """Delete if present (and unchanged since `if_etag`); True when something was deleted."""
        from azure.core import MatchConditions

        blob = self._blob(container, name)
        conditions: dict[str, Any] = {}
        if if_etag is not None:
            conditions = {"etag": if_etag, "match_condition": MatchConditions.IfNotModified}
        try:
            await self._call(
                "DeleteBlob",
                blob.delete_blob(**conditions),
                expect_missing=True,
                conditional=bool(conditions),
            )
        except (BlobNotFoundError, ConditionNotMetError):
            return False
        return True

    async def read_sas_url(self, info: BlobInfo, lifetime: timedelta) -> str:
        """A read-only, https-only user-delegation SAS URL for this blob; needs a token credential.

        A SAS cannot name an etag, so the caller checks the blob is still `info`'s version once
        the fetch is over (transcription.transcribe_blob)."""
        from azure.storage.blob import BlobSasPermissions

        return await self._sas_url(info.container, info.name, BlobSasPermissions(read=True), lifetime)

    async def upload_sas_url(self, container: str, name: str, lifetime: timedelta) -> str:
        """A create-only SAS URL for one new blob, https only: storage itself refuses an overwrite,
        its metadata and a lease (write would allow each, whatever headers the client sends).

        Create covers one Put Blob ("write a new blob"); block lists are Write's (Create a user
        delegation SAS, permissions table), and Azurite refuses Put Block with create alone, so an
        upload is one PUT (up to 5000 MiB). User-delegation with a token credential (Azure); with
        a connection string (local only) the account key signs it, and http (Azurite) is allowed.
        """
        from azure.storage.blob import BlobSasPermissions

        permission = BlobSasPermissions(create=True)
        return await self._sas_url(container, name, permission, lifetime)

    async def _sas_url(self, container: str, name: str, permission: Any, lifetime: timedelta) -> str:
        from azure.storage.blob import generate_blob_sas

        now = datetime.now(UTC)
        client = self._client()
        blob_url = self._blob(container, name).url
        signing: dict[str, Any] = {}
        if self.connection.uses_token:
            signing["user_delegation_key"] = await self._user_delegation_key(now, lifetime)
            signing["protocol"] = "https"
        else:
            signing["account_key"] = client.credential.account_key
            signing["protocol"] = "https" if blob_url.startswith("https:") else "https,http"
        sas = generate_blob_sas(
            account_name=client.account_name,
            container_name=container,
            blob_name=name,
            permission=permission,
            start=now - timedelta(minutes=5),
            expiry=now + lifetime,
            **signing,
        )
        return f"{blob_url}?{sas}"

    async def _user_delegation_key(self, now: datetime, lifetime: timedelta) -> Any:
        key = self._delegation_key
        if key is None or _expiry(key) < now + lifetime + timedelta(minutes=5):
            # a SAS is valid only while its key is: long enough for the SAS (a batch wait's), at
            # most the 7 days Azure allows a user delegation key
            valid = min(
                max(timedelta(hours=2), lifetime + timedelta(minutes=10)), timedelta(days=7, minutes=-1)
            )
            key = await self._call(
                "GetUserDelegationKey",
                self._client().get_user_delegation_key(now - timedelta(minutes=5), now + valid),
            )
            self._delegation_key = key
        return key

    async def check_container(self, container: str, timeout: float) -> None:
        """Read a container's properties once, without retries: reachable, credential accepted, exists."""
        client = self._client().get_container_client(container)
        pending = client.get_container_properties(
            retry_total=0, connection_timeout=timeout, read_timeout=timeout
        )
        await self._call("GetContainerProperties", pending)


def _expiry(key: Any) -> datetime:
    value = key.signed_expiry
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
