"""Backpressure: a version Speech cannot take now waits in the jobs queue, never in an invocation.

Three reasons, one mechanism (docs/ARCHITECTURE.md, "Backpressure"):
- Speech is busy (a 429, a 503 with Retry-After, or no slot of the instance's pace soon enough):
  the version keeps its claim, now held for the queue message that brings it back
  (`DeferredVersion` with the claim's owner), no sooner than the service asked, with jitter.
  No attempt is spent. Past MAX_DEFERRAL_HOURS since the first deferral it fails for good
  (ThrottledTooLong).
- Its payer's audio budget is spent (`transcriber.flows.budget`): the same hand-over, until the
  budget resets at the next UTC midnight, as many days as a backlog needs; audio longer than a
  whole day's budget fails for good (BudgetExceeded).
- Another delivery holds the version's claim: look again later (a message without an owner)
  instead of waiting; the holder's outcome, or its claim going stale, settles it then.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import UTC, datetime, timedelta

from transcriber.adapters.telemetry import METRIC_DEFERRAL_SECONDS, METRIC_DEFERRALS
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.claim_record import HELD, ClaimRecord
from transcriber.domain.deferred_version import DeferredVersion
from transcriber.domain.errors import BudgetExceededError, ThrottledTooLongError
from transcriber.domain.outcomes import BlobOutcome
from transcriber.domain.pacing import jittered
from transcriber.domain.privacy import logged_name
from transcriber.flows.claims import Claim, release, write_claim
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
BUSY, BUDGET = "busy", "budget"  # why a version waits (its claim's deferredFor)
BUDGET_SPREAD_SECONDS = 600  # versions waiting for a budget's reset come back over ten minutes


async def defer_busy(
    service: TranscriptionService, info: BlobInfo, claim: Claim, job_id: str | None, retry_after: int | None
) -> BlobOutcome:
    """Speech is busy: hand the claimed version to the queue. Raises ThrottledTooLongError when
    the wait would pass MAX_DEFERRAL_HOURS (the caller records it as the version's final failure),
    and the queue's or storage's error when the hand-over failed (the claim released first)."""
    settings = service.settings
    delay = jittered(service.speech.defer_seconds(retry_after))
    if _too_long(claim, delay, settings.max_deferral_hours):
        raise ThrottledTooLongError(
            f"Azure AI Speech stayed busy for over {settings.max_deferral_hours} h (MAX_DEFERRAL_HOURS): "
            f"the recording waited {claim.deferrals} times for the service's quota"
        )
    return await _defer(service, info, claim, job_id, delay, BUSY, since=_busy_since(claim))


async def defer_for_budget(
    service: TranscriptionService, info: BlobInfo, claim: Claim, job_id: str | None, over: BudgetExceededError
) -> BlobOutcome:
    """Its payer's audio budget is spent: the version waits in the queue for the budget's reset
    (spread over the minutes after it, so a day's backlog does not return at one instant), day
    after day while a backlog is larger than a day's budget: every day some of it goes through, so
    it needs no MAX_DEFERRAL_HOURS, which counts only time Speech is busy (its clock starts again
    after it). Raises `over` when no wait can help (the audio alone is over a
    day's budget): the caller records it as the version's final failure."""
    if not over.fits:
        raise over
    delay = over.retry_after + random.randint(1, BUDGET_SPREAD_SECONDS)
    return await _defer(service, info, claim, job_id, delay, BUDGET, since=_time(claim.deferred_since))


def _busy_since(claim: Claim) -> datetime | None:
    """Since when Speech has kept the version waiting: a wait for the budget does not count."""
    return None if claim.deferred_for == BUDGET else _time(claim.deferred_since)


def _too_long(claim: Claim, delay: int, hours: int) -> bool:
    now = datetime.now(UTC)
    since = _busy_since(claim) or now
    return now + timedelta(seconds=delay) - since > timedelta(hours=hours)


async def _defer(
    service: TranscriptionService,
    info: BlobInfo,
    claim: Claim,
    job_id: str | None,
    delay: int,
    reason: str,
    *,
    since: datetime | None,
) -> BlobOutcome:
    """The claim rewritten as held for the message that brings the version back after `delay`;
    `since`: where MAX_DEFERRAL_HOURS counts from (None: now)."""
    settings, now = service.settings, datetime.now(UTC)
    since = since or now
    until = now + timedelta(seconds=delay)
    owner = uuid.uuid4().hex
    held = ClaimRecord(
        HELD,
        owner=owner,
        claimed_at=_iso(now),
        stale_after_seconds=delay + settings.claim_timeout_seconds,  # nobody takes it while it waits
        source_container=info.container,
        source_etag=info.etag,
        deferred_until=_iso(until),
        deferred_since=_iso(since),
        deferrals=claim.deferrals + 1,
        deferred_for=reason,
    )
    etag = await write_claim(service, claim.name, held, if_etag=claim.etag)
    try:
        await service.jobs.send_json(
            DeferredVersion(info.name, info.etag, owner, job_id).to_json(), delay_seconds=delay
        )
    except BaseException:
        await release(service, Claim(claim.name, etag))
        raise
    _track(service, reason, delay)
    logger.info(
        "%s: %s; deferred %d s (deferral %d)",
        logged_name(info.name),
        "Speech is busy" if reason == BUSY else "its audio budget is spent",
        delay,
        claim.deferrals + 1,
    )
    return BlobOutcome("deferred", info.name, deferred_until=_iso(until))


async def look_again(
    service: TranscriptionService, info: BlobInfo, job_id: str | None, stale_in: float
) -> BlobOutcome:
    """Another delivery holds the version: come back when it has likely finished, or by the time
    its claim goes stale (a tenth of the claim timeout at most, so a holder that died is
    noticed soon after)."""
    wait = min(stale_in, service.settings.claim_timeout_seconds / 10)
    delay = jittered(max(1.0, wait))
    await service.jobs.send_json(
        DeferredVersion(info.name, info.etag, None, job_id).to_json(), delay_seconds=delay
    )
    _track(service, "claimed", delay)
    logger.info(
        "%s (etag %s) is claimed by another delivery: looking again in %d s",
        logged_name(info.name),
        info.etag,
        delay,
    )
    return BlobOutcome(
        "deferred", info.name, deferred_until=_iso(datetime.now(UTC) + timedelta(seconds=delay))
    )


def _track(service: TranscriptionService, reason: str, delay: int) -> None:
    service.telemetry.track_metric(METRIC_DEFERRALS, 1.0, {"reason": reason})
    service.telemetry.track_metric(METRIC_DEFERRAL_SECONDS, float(delay), {"reason": reason})


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
