"""The resource's request quota: a token bucket per scope, refilled at N requests a minute.

The live service allows fast transcription 600 requests a minute per resource (adjustable) and
batch transcription's REST API "100 requests per 10 seconds (600 per minute)" (quota page, 2026-01);
beyond that it answers 429 with `Retry-After`. How much of a minute's quota may arrive at once is
not published for fast transcription: a bucket holds `DEFAULT_BURST_SECONDS` of the rate (the
window the batch limit is stated in) unless told otherwise. A refused request takes no token.

One `Quotas` per emulator instance, shared by the request handlers and whoever steers it (a test,
the control route), hence the lock; the clock is injectable so properties can be checked without
waiting.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from devtools.speech_emulator.errors import ServiceError

__all__ = [
    "DEFAULT_BURST_SECONDS",
    "QUOTA_SCOPES",
    "QuotaLimit",
    "Quotas",
    "TokenBucket",
    "default_burst",
    "quota_error",
]

# Fast transcription ("transcribe") and the batch REST operations (submit, status, files, delete).
QUOTA_SCOPES: tuple[str, ...] = ("transcribe", "batch")
DEFAULT_BURST_SECONDS = 10.0
# The body a throttled fast transcription was reported to answer (flat, as the service's errors are).
QUOTA_MESSAGE = "Resource Exhausted"

Clock = Callable[[], float]
# A token refilled to within rounding of 1 counts as whole: waiting exactly the wait must do.
_ROUNDING = 1e-9


def default_burst(rpm: int) -> int:
    """The bucket's capacity when none is given: `DEFAULT_BURST_SECONDS` of the rate, at least 1."""
    return max(1, math.floor(rpm * DEFAULT_BURST_SECONDS / 60))


@dataclass(frozen=True)
class QuotaLimit:
    """`rpm` requests a minute, of which up to `burst` may arrive at once."""

    rpm: int
    burst: int

    @classmethod
    def of(cls, rpm: int, burst: int | None = None) -> QuotaLimit:
        if rpm < 1:
            raise ValueError(f"a quota allows at least 1 request a minute, not {rpm}")
        if burst is not None and burst < 1:
            raise ValueError(f"a quota's burst is at least 1, not {burst}")
        return cls(rpm, default_burst(rpm) if burst is None else burst)


class TokenBucket:
    """Holds up to `limit.burst` tokens, refilled continuously at `limit.rpm` a minute; starts full."""

    def __init__(self, limit: QuotaLimit, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._rate = limit.rpm / 60.0  # tokens a second
        self._tokens = float(limit.burst)
        self._at = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take a token: 0.0 when one was free, else the seconds until one will be (none taken)."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0 - _ROUNDING:
                self._tokens = max(0.0, self._tokens - 1.0)
                return 0.0
            return (1.0 - self._tokens) / self._rate

    def available(self) -> float:
        """Tokens in the bucket now (fractions are a token being refilled)."""
        with self._lock:
            self._refill()
            return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._at)
        self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self._rate)
        self._at = now


class Quotas:
    """The quota of each scope (none: unlimited), set from the config and changed at run time."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def set(self, scope: str, limit: QuotaLimit | None) -> None:
        """Limit `scope` to `limit` with a full bucket, or lift its limit (None)."""
        _check_scope(scope)
        with self._lock:
            if limit is None:
                self._buckets.pop(scope, None)
            else:
                self._buckets[scope] = TokenBucket(limit, self._clock)

    def limit(self, scope: str) -> QuotaLimit | None:
        _check_scope(scope)
        with self._lock:
            bucket = self._buckets.get(scope)
        return bucket.limit if bucket is not None else None

    def available(self, scope: str) -> float | None:
        """Tokens left in `scope`'s bucket (None: unlimited)."""
        _check_scope(scope)
        with self._lock:
            bucket = self._buckets.get(scope)
        return bucket.available() if bucket is not None else None

    def admit(self, scope: str) -> ServiceError | None:
        """Take a token for one request of `scope`: None if admitted, else the 429 to answer."""
        _check_scope(scope)
        with self._lock:
            bucket = self._buckets.get(scope)
        if bucket is None:
            return None
        wait = bucket.take()
        return None if wait == 0.0 else quota_error(wait)


def quota_error(wait_seconds: float) -> ServiceError:
    """429 TooManyRequests with `Retry-After`: whole seconds until a token is free, at least 1."""
    retry_after = max(1, math.ceil(wait_seconds))
    return ServiceError(429, "TooManyRequests", QUOTA_MESSAGE, headers={"Retry-After": str(retry_after)})


def _check_scope(scope: str) -> None:
    if scope not in QUOTA_SCOPES:
        raise ValueError(f"unknown quota scope {scope!r}; known: {', '.join(QUOTA_SCOPES)}")
