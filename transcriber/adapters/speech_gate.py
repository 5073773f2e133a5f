"""One instance's gate to a Speech API: a slot from its adaptive pace, a place among the requests
in flight, and what the service's answer teaches the pace.

A request that would wait longer than its `patience` is refused at once (ServiceThrottledError,
`paced`), so the caller hands the work to the queue or answers 429: no invocation sleeps through
a quota (docs/ARCHITECTURE.md, "Backpressure").
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from transcriber.adapters.telemetry import METRIC_THROTTLED
from transcriber.domain.errors import ServiceThrottledError
from transcriber.domain.pacing import Pacer

if TYPE_CHECKING:
    from transcriber.adapters.telemetry import Telemetry

# How long a trigger's request may wait for its slot before the version goes to the queue instead:
# long enough that a full instance (maxDegreeOfParallelism 64) at the default pace (10 a second)
# waits its turn, since a deferral costs more (a claim, a queue message, an invocation) than a
# wait; short against functionTimeout.
TRIGGER_PATIENCE_SECONDS = 10.0


class SpeechGate:
    """The pace (`transcriber.domain.pacing.Pacer`) and the in-flight limit of one Speech API."""

    def __init__(
        self, api: str, requests_per_minute: int, max_concurrency: int, telemetry: Telemetry
    ) -> None:
        self.api = api
        self.pacer = Pacer.per_minute(requests_per_minute)
        self._max_concurrency = max_concurrency
        self._in_flight: asyncio.Semaphore | None = None
        self._telemetry = telemetry

    @asynccontextmanager
    async def slot(self, patience: float = TRIGGER_PATIENCE_SECONDS) -> AsyncIterator[None]:
        """Wait (at most `patience` seconds) for a slot, then send inside the block.

        Raises ServiceThrottledError (`paced`) when no slot comes in time. A throttle raised inside
        the block cuts the pace (and holds it for its Retry-After); any other answer lets it grow.
        """
        deadline = time.monotonic() + patience
        while True:  # a slot promised before a throttle (a cut, a Retry-After) is taken again
            now = time.monotonic()
            cuts = self.pacer.cuts
            wait = self.pacer.reserve(now, deadline - now)
            if wait is None:
                raise self._busy(now)
            if wait > 0:
                await asyncio.sleep(wait)
            if self.pacer.cuts == cuts:
                break
        if self._in_flight is None:
            self._in_flight = asyncio.Semaphore(self._max_concurrency)
        try:
            async with asyncio.timeout(max(0.01, deadline - time.monotonic())):
                await self._in_flight.acquire()
        except TimeoutError:
            raise self._busy(time.monotonic()) from None
        sent = time.monotonic()
        try:
            yield
        except ServiceThrottledError as exc:
            if not exc.paced:
                self.pacer.throttled(time.monotonic(), sent, exc.retry_after)
                self._telemetry.track_metric(METRIC_THROTTLED, 1.0, {"api": self.api})
            raise
        except BaseException:
            self.pacer.succeeded(time.monotonic())  # the service answered (or the call failed): no throttle
            raise
        else:
            self.pacer.succeeded(time.monotonic())
        finally:
            self._in_flight.release()

    def defer_seconds(self, retry_after: int | None = None) -> float:
        """How long a version handed to the queue now should stay away (see `Pacer.defer`)."""
        return self.pacer.defer(time.monotonic(), float(retry_after or 0))

    def _busy(self, now: float) -> ServiceThrottledError:
        wait = max(1, math.ceil(self.pacer.wait(now)))
        rate = round(self.pacer.rate * 60)
        return ServiceThrottledError(
            f"Azure AI Speech is busy: this instance sends about {rate} requests a minute now; "
            f"try again in {wait} s",
            retry_after=wait,
            paced=True,
        )
