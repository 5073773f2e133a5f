"""Blob Storage: audio in, transcripts and failure records out, read-only SAS URLs.

The aio `BlobServiceClient` is made once per service. Every blob client it hands out is checked
to point into one of the app's own containers (`containers`), with a name that passed
`transcriber.blob_names`: the URL the SDK builds must not leave the container. With a token credential the store can mint
user-delegation SAS URLs, so the Speech service fetches large audio itself. Storage SDK errors
are translated here into `transcriber.errors`; SAS URLs are never logged.
"""

from __future__ import annotations

import json
import logging
import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from transcriber.blob_names import InvalidBlobNameError, check_blob_name
from transcriber.errors import AuthenticationError, BlobNotFoundError, ServiceError, TranscriberError
from transcriber.identity import STORAGE_SCOPE
from transcriber.redaction import redacted_cause

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobServiceClient

    from transcriber.storage_connection import StorageConnection
    from transcriber.telemetry import Telemetry

logger = logging.getLogger(__name__)
ETAG_METADATA = "sourceetag"


class ConditionNotMetError(TranscriberError):
    """A conditional write found the blob there (create) or changed (replace, delete)."""

    code = "ConditionNotMet"


class ContainerMissingError(ServiceError):
    """A container the app writes to does not exist, and the app may not create it."""

    code = "ContainerMissing"


@dataclass(frozen=True)
class BlobInfo:
    """What we record about a source blob: identifies one version of it."""

    container: str
    name: str
    etag: str
    size: int
    content_type: str | None

    def as_record(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "name": self.name,
            "etag": self.etag,
            "size": self.size,
            "contentType": self.content_type,
        }


class BlobStore:
    """The audio and transcripts containers of one storage account."""

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
        self._containers_ready = False

    def _client(self) -> BlobServiceClient:
        if self._service is None:
            from azure.storage.blob.aio import BlobServiceClient

            from transcriber.identity import storage_credential

            if self.connection.connection_string is not None:
                self._service = BlobServiceClient.from_connection_string(self.connection.connection_string)
            else:
                if self._credential is None:
                    self._credential = storage_credential(self.connection)
                self._service = BlobServiceClient(self.connection.blob_url, credential=self._credential)
        return self._service

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

    async def ensure_containers(self, names: tuple[str, ...], *, create: bool) -> None:
        """Once per store: each container exists, created when allowed, else ContainerMissingError."""
        if self._containers_ready:
            return
        for name in names:
            container = self._client().get_container_client(name)
            if await self._call("GetContainerProperties", container.exists()):
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
        self._containers_ready = True

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
        )

    async def download(self, info: BlobInfo) -> bytes:
        """Exactly the version described by `info` (a newer upload makes this fail, not mix)."""
        from azure.core import MatchConditions

        blob = self._blob(info.container, info.name)

        async def read() -> bytes:
            stream = await blob.download_blob(
                etag=f'"{info.etag}"', match_condition=MatchConditions.IfNotModified
            )
            return await stream.readall()

        return await self._call("GetBlob", read())

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
        body: str | bytes,
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
        data = body.encode("utf-8") if isinstance(body, str) else body
        metadata = {ETAG_METADATA: source_etag} if source_etag else None
        conditions: dict[str, Any] = {}
        if if_etag is not None:
            conditions = {"etag": if_etag, "match_condition": MatchConditions.IfNotModified}
        written = await self._call(
            "PutBlob",
            blob.upload_blob(
                data,
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
        """A read-only user-delegation SAS URL for this blob; needs a token credential."""
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas

        now = datetime.now(UTC)
        key = self._delegation_key
        if key is None or _expiry(key) < now + lifetime + timedelta(minutes=5):
            key = await self._call(
                "GetUserDelegationKey",
                self._client().get_user_delegation_key(now - timedelta(minutes=5), now + timedelta(hours=2)),
            )
            self._delegation_key = key
        client = self._client()
        sas = generate_blob_sas(
            account_name=client.account_name,
            container_name=info.container,
            blob_name=info.name,
            user_delegation_key=key,
            permission=BlobSasPermissions(read=True),
            start=now - timedelta(minutes=5),
            expiry=now + lifetime,
        )
        return f"{self._blob(info.container, info.name).url}?{sas}"

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
            raise AuthenticationError(f"no storage token: {_reason(exc)}") from redacted_cause(exc)

    async def _call(
        self, operation: str, awaitable: Any, *, expect_missing: bool = False, conditional: bool = False
    ) -> Any:
        """Await one storage request, record it as a dependency and translate its errors.

        `expect_missing`: a 404 is an answer, not a failure (reading a record that may not exist);
        `conditional`: so are 409 and 412 (ConditionNotMetError).
        """
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
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
        except ClientAuthenticationError as exc:
            raise AuthenticationError(
                f"storage refused the credential ({operation}): {_reason(exc)}"
            ) from redacted_cause(exc)
        except HttpResponseError as exc:
            if exc.status_code in (401, 403):
                raise AuthenticationError(
                    f"storage refused the credential ({operation}): {_reason(exc)}"
                ) from redacted_cause(exc)
            raise ServiceError(
                f"storage {operation} failed ({exc.status_code}): {_reason(exc)}", code="StorageError"
            ) from redacted_cause(exc)
        except Exception as exc:  # transport failures: connection refused, timeouts
            raise ServiceError(
                f"storage {operation} failed: {type(exc).__name__}", code="StorageError"
            ) from redacted_cause(exc)

    async def close(self) -> None:
        if self._service is not None:
            await self._service.close()
            self._service = None
        close = getattr(self._credential, "close", None)
        if close is not None:
            await close()


def _expiry(key: Any) -> datetime:
    value = key.signed_expiry
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reason(exc: Exception) -> str:
    code = getattr(exc, "error_code", None)
    text = str(exc).strip().splitlines()
    return str(code) if code else (text[0][:200] if text else type(exc).__name__)
