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


async def test_memory_budget_a_request_body_counts_at_once_and_downloads_wait_for_it() -> None:
    budget = MemoryBudget(100)
    downloaded = asyncio.Event()

    async def download() -> None:
        async with budget.hold(40):
            downloaded.set()

    async with budget.charge(80):
        assert budget.in_use == 80
        task = asyncio.create_task(download())
        await asyncio.sleep(0.01)
        assert not downloaded.is_set()  # 80 + 40 would pass the limit
    await task
    assert downloaded.is_set() and budget.in_use == 0


async def test_memory_budget_a_request_body_never_waits_it_is_in_memory_already() -> None:
    budget = MemoryBudget(100)
    async with budget.hold(90), budget.charge(50):
        assert budget.in_use == 140
    assert budget.in_use == 0
