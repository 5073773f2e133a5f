"""An in-memory BudgetTable: rows in a dict, with Azurite's table service's answers.

As `transcriber.adapters.budget_table` translates them: a transaction is all or nothing; a
create of a row that exists (409) or a replace whose If-Match ETag is not the row's (412) fails
the whole transaction as ConditionNotMetError; a replace of a missing row is Azurite's 404, which
the adapter reports as a StorageError. ETags change on every write. Every read and write yields
to the event loop first, so concurrent charges interleave as they do against a real table.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

from transcriber.adapters.budget_table import Entity, TableWrite
from transcriber.domain.errors import ConditionNotMetError, ServiceError

_etags = itertools.count(1)


def _etag() -> str:
    stamp = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return f"W/\"datetime'{stamp}'-{next(_etags)}\""


class FakeBudgetTable:
    def __init__(self, name: str = "audiobudget") -> None:
        self.name = name
        self.rows: dict[tuple[str, str], Entity] = {}
        self.writes = 0  # transactions that succeeded
        self.conflicts = 0  # transactions refused for a condition

    async def get(self, partition: str, row: str) -> Entity | None:
        await asyncio.sleep(0)
        found = self.rows.get((partition, row))
        return None if found is None else Entity(dict(found.properties), found.etag)

    async def write(self, writes: list[TableWrite]) -> None:
        await asyncio.sleep(0)
        if len({one.partition for one in writes}) > 1:
            raise ServiceError("a transaction spans one partition (400)", code="StorageError")
        for one in writes:  # every condition checked before anything changes: all or nothing
            stored = self.rows.get((one.partition, one.row))
            if one.kind == "create" and stored is not None:
                self.conflicts += 1
                raise ConditionNotMetError("the condition of SubmitTransaction was not met")
            if one.kind == "replace":
                if stored is None:
                    raise ServiceError(
                        "the budget table SubmitTransaction failed (404): TableNotFound", code="StorageError"
                    )
                if one.etag != stored.etag:
                    self.conflicts += 1
                    raise ConditionNotMetError("the condition of SubmitTransaction was not met")
        for one in writes:
            self.rows[(one.partition, one.row)] = Entity(dict(one.properties), _etag())
        self.writes += 1

    async def check(self) -> None:
        await asyncio.sleep(0)

    def total(self, partition: str, row: str) -> Any:
        found = self.rows.get((partition, row))
        return None if found is None else found.properties.get("seconds")

    async def close(self) -> None:
        return None
