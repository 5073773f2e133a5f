"""Two blobs at a time write their outputs; the others wait a moment for a turn.

So a burst spreads out instead of finishing in step (docs/ARCHITECTURE.md, "Output turns").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["OutputSlots"]

# Two turns: measured best (200 blobs 16 at a time: 0.87-0.88 of the ideal with 2, 0.84-0.87
# with 4, 0.80 with 6, 0.73-0.80 with none), and still one writing while the other waits on
# storage. The loop's CPU, not storage, is what the writers share.
SLOTS = 2
MAX_WAIT_S = 0.5


class OutputSlots:
    """Turns for writing outputs, shared by the invocations of one event loop."""

    def __init__(self, slots: int = SLOTS, max_wait_s: float = MAX_WAIT_S) -> None:
        self.max_wait_s = max_wait_s
        self._slots = asyncio.Semaphore(slots)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """Wait for a turn up to `max_wait_s`; yields whether one was had (the block runs anyway)."""
        try:
            await asyncio.wait_for(self._slots.acquire(), self.max_wait_s)
            acquired = True
        except TimeoutError:
            acquired = False
        try:
            yield acquired
        finally:
            if acquired:
                self._slots.release()
