"""When a batch job looks again: doubling intervals, Retry-After, the wait's end and the SAS's end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.config import BatchSettings, Settings
from transcriber.domain.errors import SettingError
from transcriber.flows.batch import schedule

SETTINGS = BatchSettings(poll_initial_seconds=30, poll_max_seconds=900, max_wait_hours=48)


def test_looks_double_from_the_initial_interval_up_to_the_maximum() -> None:
    assert [schedule.poll_delay(SETTINGS, n) for n in range(7)] == [30, 60, 120, 240, 480, 900, 900]


@given(st.integers(min_value=0, max_value=10_000))
def test_a_look_is_never_sooner_than_the_initial_nor_later_than_the_maximum(looks: int) -> None:
    assert 30 <= schedule.poll_delay(SETTINGS, looks) <= 900


def test_retry_after_is_honoured_as_the_service_says_and_never_zero() -> None:
    assert schedule.throttled_delay(SETTINGS, 0, 7) == 7
    assert schedule.throttled_delay(SETTINGS, 0, 0) == 1
    assert schedule.throttled_delay(SETTINGS, 3, None) == 240


def test_a_status_answers_retry_after_is_a_minimum_wait_for_the_next_look() -> None:
    assert schedule.look_delay(SETTINGS, 0, None) == 30
    assert schedule.look_delay(SETTINGS, 0, 600) == 600  # later than the interval: the service's
    assert schedule.look_delay(SETTINGS, 2, 7) == 120  # sooner: the interval
    assert schedule.look_delay(SETTINGS, 0, 10**9) == schedule.MAX_VISIBILITY_SECONDS


def test_the_wait_ends_max_wait_hours_after_the_hand_over() -> None:
    queued = datetime(2026, 12, 2, tzinfo=UTC)
    assert schedule.deadline(SETTINGS, queued) == queued + timedelta(hours=48)


def test_a_fresh_sas_only_for_a_transcription_not_started_whose_sas_ends_before_the_next_look() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    soon = now + timedelta(minutes=20)
    assert schedule.needs_fresh_sas("NotStarted", soon, now, 900)  # 15 min + 10 min margin > 20 min
    assert not schedule.needs_fresh_sas("NotStarted", soon, now, 60)
    assert not schedule.needs_fresh_sas("Running", now, now, 900)  # its URL cannot change any more


# Microsoft's "Get batch transcription results": at peak a job may take up to 30 minutes to start
# processing (it reads the audio then, or later while Running: the docs do not say).
DOCUMENTED_START = timedelta(minutes=30)


def test_the_default_sas_outlives_the_documented_start_the_longest_look_and_the_margin() -> None:
    defaults = Settings.from_environ(BASE).batch
    lifetime = schedule.sas_lifetime(defaults)
    longest_look = timedelta(seconds=defaults.poll_max_seconds)
    assert lifetime == timedelta(hours=1) >= DOCUMENTED_START + longest_look + schedule.SAS_MARGIN
    submitted = datetime(2026, 12, 2, tzinfo=UTC)
    # still NotStarted at the documented latest start: not submitted again before the next look
    assert not schedule.needs_fresh_sas(
        "NotStarted", submitted + lifetime, submitted + DOCUMENTED_START, defaults.poll_max_seconds
    )


def test_each_renewal_doubles_the_sas_within_a_delegation_keys_life() -> None:
    hour = BatchSettings(sas_lifetime_hours=1)
    assert [schedule.sas_lifetime(hour, n) for n in range(6)] == [
        timedelta(hours=h) for h in (1, 2, 4, 8, 8, 8)
    ]
    assert schedule.sas_lifetime(BatchSettings(sas_lifetime_hours=100), 3) == timedelta(hours=167)


def test_a_failure_is_renewed_only_past_the_sas_end_and_a_few_times() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert schedule.renew_after_failure(now - timedelta(seconds=1), now, 0)
    assert schedule.renew_after_failure(now, now, schedule.MAX_SAS_RENEWALS - 1)
    assert not schedule.renew_after_failure(now + timedelta(minutes=5), now, 0)  # it could still read
    assert not schedule.renew_after_failure(now - timedelta(hours=1), now, schedule.MAX_SAS_RENEWALS)


def test_a_batch_claim_stays_live_for_the_whole_wait() -> None:
    assert schedule.claim_hold_seconds(SETTINGS, 600) > 48 * 3600


BASE = {
    "AZURE_SPEECH_ENDPOINT": "https://x.cognitiveservices.azure.com",
    "AudioStorage": "UseDevelopmentStorage=true",
}


def test_batch_settings_default_to_on_with_an_hour_long_sas() -> None:
    batch = Settings.from_environ(BASE).batch
    assert batch.enabled and batch.sas_lifetime_hours == 1 and batch.max_wait_hours == 48


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BATCH_SAS_LIFETIME_HOURS", "168"),  # a user delegation key lives at most 7 days
        ("BATCH_MAX_WAIT_HOURS", "0"),
        ("BATCH_POLL_INITIAL_SECONDS", "0"),
        ("BATCH_TRANSCRIPTION_ENABLED", "maybe"),
    ],
)
def test_bad_batch_settings_are_named(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=name):
        Settings.from_environ({**BASE, name: value})


def test_the_maximum_interval_may_not_be_below_the_initial_one() -> None:
    with pytest.raises(SettingError, match="BATCH_POLL_MAX_SECONDS"):
        Settings.from_environ({**BASE, "BATCH_POLL_INITIAL_SECONDS": "60", "BATCH_POLL_MAX_SECONDS": "30"})
