"""The quota's token bucket on a fake clock, property-based: never more than it allows in any window."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.speech_emulator.quota import QuotaLimit, Quotas, TokenBucket, default_burst


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


_LIMITS = st.builds(QuotaLimit.of, st.integers(1, 1200), st.none() | st.integers(1, 200))
# Arrivals: a pause (seconds) before each burst of simultaneous requests.
_ARRIVALS = st.lists(st.tuples(st.floats(0, 5, allow_nan=False), st.integers(1, 30)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(limit=_LIMITS, arrivals=_ARRIVALS)
def test_bucket_never_admits_more_than_burst_plus_rate_in_any_window(
    limit: QuotaLimit, arrivals: list[tuple[float, int]]
) -> None:
    clock = FakeClock()
    bucket = TokenBucket(limit, clock)
    admitted: list[float] = []
    for pause, count in arrivals:
        clock.now += pause
        for _ in range(count):
            wait = bucket.take()
            assert wait >= 0.0
            if wait == 0.0:
                admitted.append(clock.now)
            else:  # refused: the wait is what one token takes, at most
                assert wait <= 60.0 / limit.rpm + 1e-9
    rate = limit.rpm / 60.0
    for first in range(len(admitted)):
        for last in range(first, len(admitted)):
            window = admitted[last] - admitted[first]
            assert last - first + 1 <= limit.burst + rate * window + 1e-6


@settings(max_examples=300, deadline=None)
@given(limit=_LIMITS, refusals=st.integers(0, 50), pause=st.floats(0, 0.99, allow_nan=False))
def test_bucket_refusals_take_no_token_and_retry_after_the_wait_is_admitted(
    limit: QuotaLimit, refusals: int, pause: float
) -> None:
    clock = FakeClock()
    bucket = TokenBucket(limit, clock)
    for _ in range(limit.burst):
        assert bucket.take() == 0.0
    wait = bucket.take()
    assert wait > 0.0
    step = wait * pause / max(refusals, 1)
    for _ in range(refusals):  # hammering while empty changes nothing
        clock.now += step
        assert bucket.take() > 0.0
    clock.now += wait - step * refusals + 1e-9
    assert bucket.take() == 0.0


@settings(max_examples=200, deadline=None)
@given(limit=_LIMITS, elapsed=st.floats(0, 10, allow_nan=False))
def test_quotas_answer_429_with_whole_seconds_retry_after_at_least_one(
    limit: QuotaLimit, elapsed: float
) -> None:
    clock = FakeClock()
    quotas = Quotas(clock)
    quotas.set("transcribe", limit)
    for _ in range(limit.burst):
        assert quotas.admit("transcribe") is None
    clock.now += elapsed
    refusal = quotas.admit("transcribe")
    if refusal is None:  # refilled meanwhile
        assert elapsed * limit.rpm / 60 >= 1 - 1e-9
        return
    retry_after = int(refusal.headers["Retry-After"])
    assert refusal.status == 429 and refusal.code == "TooManyRequests"
    assert retry_after >= 1 and retry_after >= 60 / limit.rpm - elapsed - 1e-9
    clock.now += retry_after
    assert quotas.admit("transcribe") is None
    assert quotas.admit("batch") is None  # no batch quota set: unlimited


def test_default_burst_is_ten_seconds_of_the_rate() -> None:
    assert [default_burst(rpm) for rpm in (1, 6, 120, 600, 6000)] == [1, 1, 20, 100, 1000]
