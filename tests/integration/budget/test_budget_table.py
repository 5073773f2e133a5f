"""The audio budget against Azurite's table service: the adapter's ETag conditions as Azure answers
them, and concurrent charges through the real table that never pass the budget."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from devtools.azurite import Azurite
from tests.unit.builders import build
from transcriber.adapters.budget_table import BudgetTable, TableWrite
from transcriber.adapters.telemetry import NullTelemetry
from transcriber.config.storage_connection import StorageConnection
from transcriber.domain.audio_budget import BudgetKeys
from transcriber.domain.errors import BudgetExceededError, ConditionNotMetError
from transcriber.flows import budget

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def table_on(azurite: Azurite) -> BudgetTable:
    connection = StorageConnection.from_settings({"AudioStorage": azurite.connection_string}, "AudioStorage")
    name = f"budget{uuid.uuid4().hex[:12]}"  # a fresh table per test
    return BudgetTable(connection, name, NullTelemetry(), create=True)


async def test_budget_table_conditions_are_azurites_409_and_412(azurite: Azurite) -> None:
    table = table_on(azurite)
    try:
        assert await table.get("p", "usage") is None
        await table.write(
            [TableWrite("create", "p", "usage", {"seconds": 5}), TableWrite("create", "p", "c1")]
        )
        read = await table.get("p", "usage")
        assert read is not None and read.properties["seconds"] == 5 and read.etag
        with pytest.raises(ConditionNotMetError):  # the row exists: 409, and the whole transaction fails
            await table.write([TableWrite("create", "p", "c2"), TableWrite("create", "p", "c1")])
        assert await table.get("p", "c2") is None
        await table.write([TableWrite("replace", "p", "usage", {"seconds": 9}, read.etag)])
        with pytest.raises(ConditionNotMetError):  # If-Match an ETag the row no longer has: 412
            await table.write([TableWrite("replace", "p", "usage", {"seconds": 99}, read.etag)])
        again = await table.get("p", "usage")
        assert again is not None and again.properties["seconds"] == 9
    finally:
        await table.close()


async def test_budget_concurrent_charges_on_azurite_never_pass_the_budget(azurite: Azurite) -> None:
    world = build({"AUDIO_BUDGET_MINUTES_PER_DAY": "2"})
    table = table_on(azurite)
    world.service.budget = table
    charges = [17, 29, 31, 23, 19, 41, 13, 37, 11, 43, 7, 47]  # 318 s asked for, 120 s allowed

    async def one(index: int, seconds: int) -> int:
        try:
            await budget.charge_seconds(world.service, "key", f"c{index}", seconds, now=NOON)
        except BudgetExceededError:
            return 0
        return seconds

    try:
        granted = await asyncio.gather(*(one(i, s) for i, s in enumerate(charges)))
        keys = BudgetKeys.of("key", NOON)
        usage = await table.get(keys.partition, keys.usage_row)
        assert usage is not None and usage.properties["seconds"] == sum(granted) <= 120
        assert usage.properties["charges"] == sum(1 for g in granted if g)
        assert all(sum(granted) + s > 120 for s, g in zip(charges, granted, strict=True) if not g)
    finally:
        await table.close()
