"""How fast one instance sends Speech requests: a rate that adapts to the service's 429s.

The rate follows CUBIC, as the AWS SDKs' adaptive retry mode does (botocore
`retries/throttling.py`, `CubicCalculator`): a 429 cuts it to BETA of the rate it was at, then it
grows back along a cubic curve that is flat near that rate and probes beyond it only after a
while. Requests are spaced by the current rate (the next free slot, as a token bucket of one
token would), and a Retry-After holds every slot back until it has passed. A fleet of instances
each doing this converges on the quota instead of hammering it (docs/ARCHITECTURE.md,
"Backpressure").

Why not a rate-limiter library: aiolimiter and pyrate-limiter take a fixed rate and wait for a
token; the app needs a rate that moves and, before waiting, how long the wait would be, so that
a long one is handed to the queue instead of slept through inside an invocation.

Pure: every method takes the time (`time.monotonic()` seconds), so tests drive the clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

BETA = 0.7  # the share of the rate kept after a 429 (botocore's _BETA)
SCALE = 0.4  # CUBIC's growth constant, in requests per second per second cubed (botocore's)
MIN_RATE = 1 / 20  # never slower than one request every 20 seconds
BURST_SECONDS = 1.0  # an idle second's slots may still be used: gaps between arrivals waste none
JITTER = 0.2  # work handed to the queue comes back up to 20% (and a second) after its turn
# Azure Storage queues: a visibility timeout is at most 7 days.
MAX_VISIBILITY_SECONDS = 7 * 24 * 3600


def jittered(seconds: float) -> int:
    """A queue delay in whole seconds (a visibility timeout's unit): never sooner than `seconds`,
    spread so that work deferred together does not come back together."""
    spread = seconds * random.uniform(1.0, 1.0 + JITTER) + random.uniform(0.0, 1.0)
    return max(1, min(MAX_VISIBILITY_SECONDS, math.ceil(spread)))


@dataclass
class Pacer:
    """One instance's Speech request rate, in requests per second, and its schedule of slots.

    `reserve` hands out send times spaced by the rate; `throttled` and `succeeded` move the rate.
    `defer` spaces out the work handed to the queue, so deferred versions come back at the rate
    they can be served, not all at once.
    """

    max_rate: float
    rate: float = 0.0
    next_slot: float = 0.0
    held_until: float = 0.0
    deferred_until: float = 0.0
    last_cut: float = -1e18
    w_max: float = 0.0
    k: float = 0.0
    cuts: int = 0  # how many times the rate was cut: a slot promised before a cut is taken again

    def __post_init__(self) -> None:
        self.max_rate = max(self.max_rate, MIN_RATE)
        self.rate = self.rate or self.max_rate
        self.w_max = self.w_max or self.rate

    @classmethod
    def per_minute(cls, requests_per_minute: int) -> Pacer:
        return cls(max_rate=requests_per_minute / 60)

    def wait(self, now: float) -> float:
        """Seconds until the next free slot (0: now)."""
        return max(0.0, self.next_slot - now, self.held_until - now)

    def reserve(self, now: float, max_wait: float) -> float | None:
        """Take the next free slot when it comes within `max_wait` seconds: the seconds to wait
        before sending. None (nothing taken) when it is further away.

        Slots left unused in the last BURST_SECONDS may still be taken (GCRA's tolerance), so
        requests that arrive unevenly use the rate instead of losing every gap between them."""
        start = max(self.next_slot, now - BURST_SECONDS, self.held_until)
        wait = max(0.0, start - now)
        if wait > max_wait:
            return None
        self.next_slot = start + 1 / self.rate
        return wait

    def defer(self, now: float, at_least: float = 0.0) -> float:
        """Seconds until a version handed to the queue now should come back: after every slot
        already promised (to requests and earlier deferrals), one slot apart, and no sooner
        than `at_least` (the service's Retry-After)."""
        delay = max(self.wait(now), self.deferred_until - now, at_least)
        self.deferred_until = now + delay + 1 / self.rate
        return delay

    def throttled(self, now: float, sent_at: float, retry_after: float | None) -> None:
        """A 429 (or a 503 with Retry-After) for a request sent at `sent_at`: hold every slot
        until its Retry-After, and cut the rate, once for the requests already in flight when
        the last cut was made (they saw the old rate; cutting for each would collapse it)."""
        if retry_after is not None:
            self.held_until = max(self.held_until, now + retry_after)
        self.next_slot = max(self.next_slot, now + 1 / self.rate)
        if sent_at < self.last_cut:
            return
        self.w_max = self.rate
        self.k = (self.w_max * (1 - BETA) / SCALE) ** (1 / 3)
        self.rate = max(MIN_RATE, self.rate * BETA)
        self.last_cut = now
        self.cuts += 1

    def succeeded(self, now: float) -> None:
        """An answer that was not a throttle: grow along the cubic curve, up to `max_rate`."""
        if self.last_cut < -1e17:
            return
        grown = SCALE * (now - self.last_cut - self.k) ** 3 + self.w_max
        self.rate = min(self.max_rate, max(MIN_RATE, self.rate, grown))
