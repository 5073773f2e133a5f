"""The audio budget: each caller's day of audio charged before any Speech call, never overspent.

Every path that reaches Speech charges first: POST /api/transcribe (its request), POST
/api/transcriptions (at acceptance, so a caller over budget hears 429 at once), and the blob flow
(blob events, jobs' and backfill's runs; a job accepted over HTTP is not charged twice: its
acceptance and its run share a charge key). A charge is one transaction on the caller's partition
of the budget table: the charge's own row (created, so a second charge with the same key that day
finds it and costs nothing) and the day's total (replaced If-Match the ETag it was read with). Two
charges racing for the same total cannot both succeed: the loser's transaction fails whole (412),
and it reads the total again and decides again, so concurrent requests can never pass the budget.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from transcriber.adapters.budget_table import TableWrite
from transcriber.adapters.telemetry import (
    METRIC_BUDGET_REFUNDED,
    METRIC_BUDGET_REFUSALS,
    METRIC_BUDGET_SECONDS,
)
from transcriber.domain.audio_budget import (
    APP_PAYER,
    BudgetKeys,
    charged_seconds,
    payer_kind,
    reset_at,
    seconds_until_reset,
)
from transcriber.domain.audio_check import SNIFF_BYTES, check_audio
from transcriber.domain.errors import (
    BudgetExceededError,
    ConditionNotMetError,
    ServiceError,
    TranscriberError,
)
from transcriber.domain.owners import grant_name
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
# Rounds of read-and-write a charge tries when others keep winning the same total; each round
# but the last is won by someone, so this bounds only how long one caller's burst contends.
MAX_ROUNDS = 64
TOTAL = "seconds"  # the day's total row: seconds charged, and how many charges
CHARGES = "charges"
REFUNDED = "refunded"  # on a charge's row: the seconds given back


@dataclass(frozen=True)
class Charge:
    """A charge made: whose day, under which key, how many seconds (what a refund takes back)."""

    owner: str
    key: str
    seconds: int
    moment: datetime


async def charge_audio(
    service: TranscriptionService, owner: str, charge: str, head: bytes, size: int
) -> Charge | None:
    """Charge a recording (its first bytes and size: `charged_seconds`) to `owner`'s day. What
    the audio checks refuse before any Speech call (empty, not audio) is not charged."""
    try:
        check_audio(head[:SNIFF_BYTES])
    except TranscriberError:
        return None
    if size == 0:
        return None
    return await charge_seconds(service, owner, charge, charged_seconds(head, size))


async def charge_seconds(
    service: TranscriptionService, owner: str, charge: str, seconds: int, *, now: datetime | None = None
) -> Charge | None:
    """Charge `seconds` of audio to `owner`'s day once per `charge` key: the charge when made now,
    None when there is no budget or `charge` was charged already today. BudgetExceededError
    when the charge would pass the day's budget (nothing is charged then)."""
    budget, table = service.settings.budget, service.budget
    if not budget.enabled or table is None:
        return None
    moment = now or datetime.now(UTC)
    keys = BudgetKeys.of(owner, moment)
    limit, kind = budget.seconds_per_day, payer_kind(owner)
    for _ in range(MAX_ROUNDS):
        if await table.get(keys.partition, keys.charge_row(charge)) is not None:
            return None
        usage = await table.get(keys.partition, keys.usage_row)
        used = int(usage.properties.get(TOTAL, 0)) if usage is not None else 0
        if used + seconds > limit:
            service.telemetry.track_metric(METRIC_BUDGET_REFUSALS, 1.0, {"caller": kind})
            raise _exceeded(budget.minutes_per_day, used, seconds, moment)
        count = int(usage.properties.get(CHARGES, 0)) if usage is not None else 0
        total = {TOTAL: used + seconds, CHARGES: count + 1}
        writes = [
            TableWrite("create", keys.partition, keys.charge_row(charge), {TOTAL: seconds}),
            TableWrite("create", keys.partition, keys.usage_row, total)
            if usage is None
            else TableWrite("replace", keys.partition, keys.usage_row, total, usage.etag),
        ]
        try:
            await table.write(writes)
        except ConditionNotMetError:  # another charge won this round: read again, decide again
            await asyncio.sleep(random.uniform(0, 0.05))
            continue
        service.telemetry.track_metric(METRIC_BUDGET_SECONDS, float(seconds), {"caller": kind})
        return Charge(owner, charge, seconds, moment)
    raise ServiceError("the audio budget's table stayed contended; try again", code="BudgetBusy")


async def refund(service: TranscriptionService, charge: Charge | None) -> None:
    """Give a charge's seconds back to its day (Speech refused or throttled the audio, so it was
    never transcribed): once, however often it is called; the charge's row stays, marked."""
    table = service.budget
    if charge is None or table is None:
        return
    keys = BudgetKeys.of(charge.owner, charge.moment)
    for _ in range(MAX_ROUNDS):
        mark = await table.get(keys.partition, keys.charge_row(charge.key))
        usage = await table.get(keys.partition, keys.usage_row)
        if mark is None or usage is None or mark.properties.get(REFUNDED):
            return
        seconds = int(mark.properties.get(TOTAL, 0))
        total = {
            TOTAL: max(0, int(usage.properties.get(TOTAL, 0)) - seconds),
            CHARGES: max(0, int(usage.properties.get(CHARGES, 0)) - 1),
        }
        writes = [
            TableWrite(
                "replace",
                keys.partition,
                keys.charge_row(charge.key),
                {TOTAL: 0, REFUNDED: seconds},
                mark.etag,
            ),
            TableWrite("replace", keys.partition, keys.usage_row, total, usage.etag),
        ]
        try:
            await table.write(writes)
        except ConditionNotMetError:
            await asyncio.sleep(random.uniform(0, 0.05))
            continue
        service.telemetry.track_metric(
            METRIC_BUDGET_REFUNDED, float(seconds), {"caller": payer_kind(charge.owner)}
        )
        return
    logger.warning("the audio budget's table stayed contended: a refund of %d s was dropped", charge.seconds)


async def blob_payer(service: TranscriptionService, name: str) -> str:
    """Who pays for a blob no job names: the caller granted its upload (`/api/uploads`), or the app
    (without a budget, nobody: no grant is read)."""
    if not service.settings.budget.enabled or service.budget is None:
        return APP_PAYER
    grant = await service.store.read_json(service.settings.failures_container, grant_name(name))
    owner = grant.get("owner") if grant is not None and grant.get("name") == name else None
    return owner if isinstance(owner, str) and owner else APP_PAYER


def _exceeded(minutes: int, used: int, seconds: int, moment: datetime) -> BudgetExceededError:
    reset = reset_at(moment)
    fits = seconds <= minutes * 60
    if fits:
        message = (
            f"the audio budget of {minutes} min per day is spent ({used / 60:.1f} min used, this audio "
            f"counts {seconds / 60:.1f} min); it resets at {reset.isoformat()}"
        )
    else:
        message = (
            f"this audio counts {seconds / 60:.1f} min, more than the whole budget of {minutes} min per day"
        )
    return BudgetExceededError(
        message, reset_at=reset.astimezone(UTC), retry_after=seconds_until_reset(moment), fits=fits
    )
