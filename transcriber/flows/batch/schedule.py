"""When a batch job looks again: growing intervals, Retry-After, the wait's end, the SAS's end.

Pure functions of the job's state and the settings, so the rules are tested without a queue.
A look is a queue message sent with a visibility timeout (no function ever sleeps): the first
after BATCH_POLL_INITIAL_SECONDS, each next one twice as late, up to BATCH_POLL_MAX_SECONDS.

The SAS the service reads the audio with lives BATCH_SAS_LIFETIME_HOURS (1 by default): a
transcription still NotStarted when its SAS would end before the next look is submitted again
with a new one, and one that failed after its SAS had ended (the service may have come to read
the audio too late: its docs do not say when it reads) is submitted again with a SAS twice as
long, up to MAX_SAS_RENEWALS times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from transcriber.config import BatchSettings
from transcriber.domain.setting_names import MAX_DELEGATION_HOURS

# The service must have started reading the audio this long before its SAS ends.
SAS_MARGIN = timedelta(minutes=10)
# Azure Storage queues: a visibility timeout is at most 7 days.
MAX_VISIBILITY_SECONDS = 7 * 24 * 3600
# Submits again after a failure past the SAS's end, each SAS twice as long (1, 2, 4, 8 h by default).
MAX_SAS_RENEWALS = 3


def poll_delay(settings: BatchSettings, looks: int) -> int:
    """Seconds until the look after `looks` earlier ones: doubling from the initial interval."""
    return min(settings.poll_max_seconds, settings.poll_initial_seconds * 2 ** min(looks, 30))


def throttled_delay(settings: BatchSettings, looks: int, retry_after: int | None) -> int:
    """After a 429: the service's Retry-After when it gives one (at least a second), else the next interval."""
    if retry_after is None:
        return poll_delay(settings, looks)
    return max(1, min(int(retry_after), MAX_VISIBILITY_SECONDS))


def look_delay(settings: BatchSettings, looks: int, retry_after: int | None) -> int:
    """The next look after a status answer: the growing interval, but never before the
    Retry-After the service sent with it (its minimum wait), within a queue's 7 days."""
    delay = poll_delay(settings, looks)
    if retry_after is None:
        return delay
    return max(delay, min(int(retry_after), MAX_VISIBILITY_SECONDS))


def deadline(settings: BatchSettings, queued_at: datetime) -> datetime:
    """After this the job gives up (BATCH_MAX_WAIT_HOURS from the hand-over) with a failure record."""
    return queued_at + timedelta(hours=settings.max_wait_hours)


def sas_lifetime(settings: BatchSettings, renewals: int = 0) -> timedelta:
    """BATCH_SAS_LIFETIME_HOURS, doubled for each renewal after a failure past the SAS's end,
    within the 7 days a user delegation key (and any SAS it signs) may live."""
    hours = settings.sas_lifetime_hours * 2 ** min(renewals, MAX_SAS_RENEWALS)
    return timedelta(hours=min(hours, MAX_DELEGATION_HOURS - 1))


def renew_after_failure(sas_expires_at: datetime, now: datetime, renewals: int) -> bool:
    """A transcription that failed once its SAS had ended may have failed for that alone (the
    service reads the audio at some time while Running, which its docs leave open): submit it
    again with a longer SAS, a few times at most, rather than record a final failure."""
    return now >= sas_expires_at and renewals < MAX_SAS_RENEWALS


def needs_fresh_sas(status: str, sas_expires_at: datetime, now: datetime, next_delay: int) -> bool:
    """A transcription not started yet whose SAS would end before the next look (with a margin).

    The service reads the audio when it starts; a submitted transcription's URL cannot be
    changed, so the job deletes it and submits again with a new SAS.
    """
    return status == "NotStarted" and sas_expires_at - SAS_MARGIN <= now + timedelta(seconds=next_delay)


def claim_hold_seconds(settings: BatchSettings, claim_timeout_seconds: int) -> int:
    """How long a claim held by a batch job counts as live: the whole wait, plus one function run."""
    return settings.max_wait_hours * 3600 + settings.poll_max_seconds + claim_timeout_seconds
