"""A cap on the audio held in memory at once by blob downloads, whatever the concurrency.

One blob larger than the whole budget still runs, alone. HTTP request bodies are charged too:
they are in memory before the app sees them, so they count at once, without waiting, and the
downloads wait for them as for each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["MemoryBudget"]


class MemoryBudget:
    """Bytes in flight, shared by the invocations of one event loop."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.in_use = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def hold(self, size: int) -> AsyncIterator[None]:
        """Wait until `size` bytes fit (or nothing else is held), keep them for the block."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_use == 0 or self.in_use + size <= self.limit_bytes)
            self.in_use += size
        try:
            yield
        finally:
            await self._release(size)

    @asynccontextmanager
    async def charge(self, size: int) -> AsyncIterator[None]:
        """Count `size` bytes already in memory (a request body) for the block, at once."""
        async with self._changed:
            self.in_use += size
        try:
            yield
        finally:
            await self._release(size)

    async def _release(self, size: int) -> None:
        async with self._changed:
            self.in_use -= size
            self._changed.notify_all()
