"""Output turns: at most `slots` writers at once, never a long wait, a turn freed whatever happens."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcriber.domain.output_turns import OutputSlots


async def test_output_slots_at_most_two_write_at_once_and_all_write() -> None:
    slots = OutputSlots(2, max_wait_s=5.0)
    writing, most, done = 0, 0, []

    async def write(n: int) -> None:
        nonlocal writing, most
        async with slots.turn() as had:
            assert had
            writing += 1
            most = max(most, writing)
            await asyncio.sleep(0.01)
            writing -= 1
            done.append(n)

    await asyncio.gather(*(write(n) for n in range(10)))
    assert most == 2 and sorted(done) == list(range(10))


async def test_output_slots_a_stuck_writer_delays_the_others_only_briefly() -> None:
    slots = OutputSlots(1, max_wait_s=0.05)
    stuck = asyncio.Event()

    async def stuck_writer() -> None:
        async with slots.turn():
            await stuck.wait()

    holder = asyncio.create_task(stuck_writer())
    await asyncio.sleep(0)
    clock = asyncio.get_running_loop().time()
    async with slots.turn() as had:
        waited = asyncio.get_running_loop().time() - clock
    assert had is False and 0.04 <= waited < 1.0  # wrote anyway, without a turn
    stuck.set()
    await holder
    async with slots.turn() as had:  # the turn it held is free again
        assert had


async def test_output_slots_a_failed_or_cancelled_writer_frees_its_turn() -> None:
    slots = OutputSlots(1, max_wait_s=5.0)
    with pytest.raises(RuntimeError):
        async with slots.turn():
            raise RuntimeError("storage refused")
    waiting = asyncio.create_task(_hold(slots, asyncio.Event()))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    async with asyncio.timeout(1):
        async with slots.turn() as had:
            assert had


async def _hold(slots: OutputSlots, until: asyncio.Event) -> None:
    async with slots.turn():
        await until.wait()


@settings(max_examples=30, deadline=None)
@given(
    slots=st.integers(1, 4),
    writers=st.lists(st.tuples(st.floats(0, 0.004), st.booleans()), min_size=1, max_size=12),
)
def test_output_slots_never_more_than_slots_holders_and_every_turn_returns(
    slots: int, writers: list[tuple[float, bool]]
) -> None:
    """Any mix of durations, failures and cancellations: never more holders than turns, and
    afterwards every turn is free."""

    async def run() -> None:
        gate = OutputSlots(slots, max_wait_s=5.0)
        holding = 0

        async def write(seconds: float, fails: bool) -> None:
            nonlocal holding
            async with gate.turn() as had:
                holding += had
                assert holding <= slots
                await asyncio.sleep(seconds)
                holding -= had
                if fails:
                    raise RuntimeError("boom")

        tasks = [asyncio.create_task(write(s, f)) for s, f in writers]
        await asyncio.sleep(0.001)
        tasks[-1].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        async with contextlib.AsyncExitStack() as stack:  # a leaked turn would time out: False
            held = [await stack.enter_async_context(gate.turn()) for _ in range(slots)]
        assert all(held)

    asyncio.run(run())
