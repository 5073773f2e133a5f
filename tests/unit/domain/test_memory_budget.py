"""The audio memory budget: downloads wait until they fit; one oversized blob runs alone."""

from __future__ import annotations

import asyncio

from transcriber.domain.memory_budget import MemoryBudget


async def test_memory_budget_holds_at_most_the_limit_at_once() -> None:
    budget = MemoryBudget(100)
    peak = 0

    async def use(size: int) -> None:
        nonlocal peak
        async with budget.hold(size):
            peak = max(peak, budget.in_use)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(use(40) for _ in range(10)))
    assert peak <= 100 and budget.in_use == 0


async def test_memory_budget_blob_larger_than_the_budget_runs_alone() -> None:
    budget = MemoryBudget(100)
    seen: list[int] = []

    async def use(size: int) -> None:
        async with budget.hold(size):
            seen.append(budget.in_use)
            await asyncio.sleep(0.01)

    await asyncio.gather(use(500), use(10), use(500))
    assert sorted(seen) == [10, 500, 500] and budget.in_use == 0
