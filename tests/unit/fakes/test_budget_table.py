"""The in-memory budget table answers as Azurite's table service does (the same steps run against
Azurite in tests/integration/budget): 409 for a row that exists, 412 for a stale If-Match, and a
failed transaction changes nothing."""

from __future__ import annotations

import pytest

from tests.unit.fakes import FakeBudgetTable
from transcriber.adapters.budget_table import TableWrite
from transcriber.domain.errors import ConditionNotMetError, ServiceError


async def test_fake_budget_table_conditions_are_azurites_409_and_412() -> None:
    table = FakeBudgetTable()
    assert await table.get("p", "usage") is None
    await table.write([TableWrite("create", "p", "usage", {"seconds": 5}), TableWrite("create", "p", "c1")])
    read = await table.get("p", "usage")
    assert read is not None and read.properties["seconds"] == 5 and read.etag
    with pytest.raises(ConditionNotMetError):
        await table.write([TableWrite("create", "p", "c2"), TableWrite("create", "p", "c1")])
    assert await table.get("p", "c2") is None
    await table.write([TableWrite("replace", "p", "usage", {"seconds": 9}, read.etag)])
    with pytest.raises(ConditionNotMetError):
        await table.write([TableWrite("replace", "p", "usage", {"seconds": 99}, read.etag)])
    again = await table.get("p", "usage")
    assert again is not None and again.properties["seconds"] == 9 and again.etag != read.etag


async def test_fake_budget_table_refuses_a_replace_of_a_missing_row_and_two_partitions() -> None:
    table = FakeBudgetTable()
    with pytest.raises(ServiceError):  # Azurite: 404 ResourceNotFound
        await table.write([TableWrite("replace", "p", "usage", {}, 'W/"x"')])
    with pytest.raises(ServiceError):  # Azure: a transaction spans one partition
        await table.write([TableWrite("create", "p", "a"), TableWrite("create", "q", "a")])
    assert table.rows == {}
