"""The instance's Speech pace: slots spaced by the rate, Retry-After held, CUBIC cut and growth."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain.pacing import BETA, MIN_RATE, Pacer


def test_slots_are_spaced_by_the_rate_and_refused_beyond_the_patience() -> None:
    pacer = Pacer.per_minute(60)  # one a second
    assert [pacer.reserve(0.0, 2.5) for _ in range(4)] == [0.0, 1.0, 2.0, None]
    assert pacer.wait(0.0) == 3.0  # the refused request took nothing


def test_a_throttle_holds_every_slot_for_its_retry_after_and_cuts_the_rate_once_per_flight() -> None:
    pacer = Pacer.per_minute(600)
    sent = [pacer.reserve(0.0, 10.0) for _ in range(5)]
    assert sent == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    pacer.throttled(0.5, 0.0, 3)
    pacer.throttled(0.5, 0.1, 3)  # in flight before the cut: no second cut
    assert pacer.rate == 10 * BETA
    assert pacer.wait(0.5) == 3.0 and pacer.reserve(0.5, 2.0) is None


def test_the_rate_grows_back_along_the_cubic_curve_to_the_configured_one() -> None:
    pacer = Pacer.per_minute(120)
    pacer.throttled(10.0, 10.0, None)
    assert pacer.rate == 2 * BETA
    pacer.succeeded(10.5)
    assert 2 * BETA < pacer.rate < 2.0  # flat near the rate it was cut from
    pacer.succeeded(10.0 + pacer.k)
    assert abs(pacer.rate - 2.0) < 1e-9  # back at the old rate after K seconds
    pacer.succeeded(1000.0)
    assert pacer.rate == 2.0  # never beyond the configured start


def test_slots_an_idle_second_left_may_be_spent_at_once_then_the_rate_holds() -> None:
    pacer = Pacer.per_minute(600)
    pacer.reserve(0.0, 1.0)
    waits = [pacer.reserve(100.0, 1.0) for _ in range(12)]  # after a long idle spell
    assert waits[:10] == [0.0] * 10 and waits[10] == pytest.approx(0.0, abs=1e-9)
    assert waits[11] == pytest.approx(0.1)


def test_deferrals_come_back_one_slot_apart_after_every_promised_slot_and_the_retry_after() -> None:
    pacer = Pacer.per_minute(60)
    pacer.reserve(0.0, 5.0)
    assert [pacer.defer(0.0) for _ in range(3)] == [1.0, 2.0, 3.0]
    assert pacer.defer(0.0, at_least=30.0) == 30.0


@given(
    st.integers(min_value=1, max_value=6000),
    st.lists(
        st.tuples(
            st.sampled_from(["reserve", "throttled", "succeeded", "defer"]),
            st.floats(min_value=0.0, max_value=5.0),
            st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
        ),
        max_size=60,
    ),
)
def test_the_pace_stays_in_bounds_and_never_hands_a_slot_inside_a_retry_after(
    per_minute: int, steps: list[tuple[str, float, int | None]]
) -> None:
    pacer = Pacer.per_minute(per_minute)
    now, last_slot = 0.0, -1.0
    for action, advance, retry_after in steps:
        now += advance
        if action == "reserve":
            wait = pacer.reserve(now, 10.0)
            if wait is not None:
                slot = now + wait
                assert slot >= pacer.held_until - 1e-9 or pacer.held_until <= now
                assert slot >= last_slot  # slots never go back in time
                last_slot = slot
        elif action == "throttled":
            pacer.throttled(now, now - advance, retry_after)
            if retry_after is not None:
                assert pacer.wait(now) >= retry_after - 1e-9
        elif action == "succeeded":
            pacer.succeeded(now)
        else:
            assert pacer.defer(now, retry_after or 0) >= (retry_after or 0)
        assert MIN_RATE <= pacer.rate <= pacer.max_rate
