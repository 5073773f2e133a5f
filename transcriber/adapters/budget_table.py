"""The audio budget's table (Azure Table Storage): entities read and written with ETags.

One transaction per charge: its rows share a partition, so the day's total and the charge's row
change together or not at all (Azure Tables' entity group transactions). A write whose condition
fails (a row created meanwhile: 409, or changed since read: 412 on If-Match) is ConditionNotMetError,
so the caller reads again and decides again (`transcriber.flows.budget`).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any, Literal

from transcriber.adapters.client_options import client_options
from transcriber.adapters.identity import storage_credential
from transcriber.adapters.storage_errors import storage_error
from transcriber.adapters.telemetry import Telemetry
from transcriber.config.storage_connection import StorageConnection
from transcriber.domain.errors import ConditionNotMetError, ServiceError, SettingError
from transcriber.domain.redaction import redacted_cause


@dataclass(frozen=True)
class Entity:
    """One row as read: its properties (PartitionKey and RowKey excluded) and its ETag."""

    properties: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class TableWrite:
    """One operation of a transaction: create a row (409 if it exists), or replace one If-Match."""

    kind: Literal["create", "replace"]
    partition: str
    row: str
    properties: dict[str, Any] = field(default_factory=dict)
    etag: str | None = None  # for "replace": the ETag the row must still have


class BudgetTable:
    """The aio TableClient, made on first use and reused (one per service)."""

    def __init__(
        self, connection: StorageConnection, name: str, telemetry: Telemetry, *, create: bool
    ) -> None:
        self.connection = connection
        self.name = name
        self._telemetry = telemetry
        self._create = create
        self._client: Any = None
        self._credential: Any = None
        self._lock = asyncio.Lock()

    async def _table(self) -> Any:
        """The client, made once; locally the table is created on first use (once, under a lock:
        concurrent first charges must not each build a client)."""
        async with self._lock:
            if self._client is None:
                self._client = self._make_client()
                if self._create:  # local Azurite; in Azure infra creates the table
                    from azure.core.exceptions import ResourceExistsError

                    with contextlib.suppress(ResourceExistsError):
                        await self._call("CreateTable", self._client.create_table())
        return self._client

    def _make_client(self) -> Any:
        from azure.data.tables.aio import TableClient

        options = client_options()
        if self.connection.connection_string is not None:
            return TableClient.from_connection_string(
                self.connection.connection_string, table_name=self.name, **options
            )
        if self.connection.table_url is None:
            raise SettingError(
                f"{self.connection.setting}__tableServiceUri", "is needed for the audio budget"
            )
        self._credential = storage_credential(self.connection)
        return TableClient(
            self.connection.table_url, table_name=self.name, credential=self._credential, **options
        )

    async def get(self, partition: str, row: str) -> Entity | None:
        """The row, or None when there is none (a missing table is a ServiceError: TableNotFound)."""
        table = await self._table()
        entity = await self._call("GetEntity", table.get_entity(partition, row), expect_missing=True)
        if entity is ABSENT:
            return None
        properties = {k: v for k, v in entity.items() if k not in ("PartitionKey", "RowKey")}
        return Entity(properties, str(entity.metadata["etag"]))

    async def check(self) -> None:
        """Deep health: the table exists and the app may read it (a row that is never written)."""
        await self.get("health", "probe")

    async def write(self, writes: list[TableWrite]) -> None:
        """Every write or none (one partition); ConditionNotMetError when a condition failed."""
        from azure.core import MatchConditions
        from azure.data.tables import UpdateMode

        operations: list[Any] = []
        for one in writes:
            entity = {"PartitionKey": one.partition, "RowKey": one.row, **one.properties}
            if one.kind == "create":
                operations.append(("create", entity))
            else:
                condition = {"etag": one.etag, "match_condition": MatchConditions.IfNotModified}
                operations.append(("update", entity, {"mode": UpdateMode.REPLACE, **condition}))
        table = await self._table()
        await self._call("SubmitTransaction", table.submit_transaction(operations), conditional=True)

    async def _call(
        self, operation: str, awaitable: Any, *, expect_missing: bool = False, conditional: bool = False
    ) -> Any:
        """Await one request, record it as a dependency and translate its errors.

        `expect_missing`: a missing row is an answer (ABSENT), not a failure; a missing table is.
        `conditional`: so are 409 and 412 (ConditionNotMetError).
        """
        from azure.core.exceptions import (
            ResourceExistsError,
            ResourceModifiedError,
            ResourceNotFoundError,
        )
        from azure.data.tables import TableTransactionError

        try:
            with self._telemetry.dependency(
                type="Azure table", target=self.connection.host, name=operation
            ) as dep:
                try:
                    return await awaitable
                except ResourceNotFoundError as exc:
                    if not expect_missing or _table_missing(exc):
                        raise
                    dep.result_code, dep.success = "404", True
                    return ABSENT
                except (TableTransactionError, ResourceExistsError, ResourceModifiedError) as exc:
                    if not conditional or exc.status_code not in (409, 412):
                        raise
                    dep.result_code, dep.success = str(exc.status_code), True
            raise ConditionNotMetError(f"the condition of {operation} was not met")
        except (ConditionNotMetError, ResourceExistsError):
            raise
        except ResourceNotFoundError as exc:
            raise ServiceError(
                f"the budget table {self.name} does not exist ({operation})", code="TableNotFound"
            ) from redacted_cause(exc)
        except Exception as exc:
            raise storage_error(exc, "the budget table", operation) from redacted_cause(exc)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
        close = getattr(self._credential, "close", None)
        if close is not None:
            await close()


ABSENT = object()  # what a read of a row that does not exist answers


def _table_missing(exc: Exception) -> bool:
    """A 404 for the table itself (TableNotFound), not for one of its rows (ResourceNotFound)."""
    code = str(getattr(exc, "error_code", "") or "")
    return code.replace("_", "").lower().endswith("tablenotfound")
