"""Every HTTP request the app sends, counted at azure-core's aiohttp transport and named by what
it touches, with the storage round trips of each delivery (a request sent while none of that
delivery's others is in flight starts a round trip; concurrent ones share it).

Counted where the wire is, not at the app's own wrappers: a retry, an SDK's extra range read or
a request the app did not mean to make all show up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

VERBS = {"GET": "read", "HEAD": "properties", "PUT": "write", "DELETE": "delete"}


@dataclass
class Delivery:
    """One delivery's storage requests in flight and round trips so far."""

    in_flight: int = 0
    round_trips: int = 0


@dataclass
class RequestCounter:
    """Counts requests to `storage_host` by what they touch, and every other request as Speech's."""

    storage_host: str
    audio: str
    transcripts: str
    storage: Counter[str] = field(default_factory=Counter)
    speech: int = 0
    trips: list[int] = field(default_factory=list)
    _current: ContextVar[Delivery | None] = field(
        default_factory=lambda: ContextVar("delivery", default=None)
    )

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Count every request sent through azure-core's aiohttp transport while inside."""
        from azure.core.pipeline.transport import AioHttpTransport

        original = AioHttpTransport.send
        counter = self

        async def send(transport: Any, request: Any, **kwargs: Any) -> Any:
            url = urlsplit(request.url)
            if url.netloc != counter.storage_host:
                counter.speech += 1
                return await original(transport, request, **kwargs)
            counter.storage[counter.label(request.method, url.path)] += 1
            delivery = counter._current.get()
            if delivery is None:
                return await original(transport, request, **kwargs)
            if delivery.in_flight == 0:
                delivery.round_trips += 1
            delivery.in_flight += 1
            try:
                return await original(transport, request, **kwargs)
            finally:
                delivery.in_flight -= 1

        AioHttpTransport.send = send  # type: ignore[method-assign]
        try:
            yield
        finally:
            AioHttpTransport.send = original  # type: ignore[method-assign]

    @contextmanager
    def delivery(self) -> Iterator[None]:
        """Attribute the requests made inside (and in tasks it starts) to one delivery."""
        current = Delivery()
        token = self._current.set(current)
        try:
            yield
        finally:
            self._current.reset(token)
            self.trips.append(current.round_trips)

    def clear(self) -> None:
        self.storage.clear()
        self.speech = 0
        self.trips.clear()

    def label(self, method: str, path: str) -> str:
        """What a storage request touches: `/<account>/<container>/<blob>` (Azurite's path style)."""
        parts = unquote(path).lstrip("/").split("/", 2)
        container, blob = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
        verb = VERBS.get(method, method)
        if not blob:
            return f"container {verb}"
        if container == self.audio:
            return f"audio {verb}"
        if container == self.transcripts:
            return f"{'JSON' if blob.endswith('.json') else 'txt/srt/vtt'} {verb}"
        if blob.startswith("claims/"):
            return f"claim {verb}"
        if blob.startswith("failed/"):
            return f"failure record {verb}"
        return f"{container} {verb}"
