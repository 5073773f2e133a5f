"""The audio budget's arithmetic: days, reset times, what a recording is charged, the table's keys.

A caller (an owner, `transcriber.domain.owners`) may send AUDIO_BUDGET_MINUTES_PER_DAY of audio to
Speech per UTC day. A recording is charged the duration its header declares (WAV, RF64, FLAC:
`transcriber.domain.audio_header`), or, when it declares none, an estimate from its size at
ESTIMATE_BYTES_PER_SECOND: a low speech bitrate, so an estimate errs towards charging more, never
towards letting a caller pass the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from transcriber.domain.audio_header import declared_seconds
from transcriber.domain.names import name_key
from transcriber.domain.owners import ENTRA_PREFIX, KEY_OWNER, owner_key

# 32 kbit/s: speech in MP3, AAC or Opus is rarely coded leaner, so this rarely charges too little.
ESTIMATE_BYTES_PER_SECOND = 4000
# Who pays for audio no HTTP caller sent: a blob dropped into the container without an upload
# grant, a backfill's job. The app's one budget, shared with function-key callers (who are one
# tenant: `transcriber.domain.owners`).
APP_PAYER = KEY_OWNER
USAGE_PREFIX = "usage-"  # the row of one day's total: usage-<yyyymmdd>
CHARGE_PREFIX = "charge-"  # a row per charge that day: charge-<yyyymmdd>-<charge key>


def charged_seconds(head: bytes, size: int) -> int:
    """Whole seconds a recording is charged: its declared duration, else the size's estimate."""
    declared = declared_seconds(head, size)
    seconds = declared if declared is not None else size / ESTIMATE_BYTES_PER_SECOND
    return max(1, math.ceil(seconds))


def day_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d")


def reset_at(moment: datetime) -> datetime:
    """The next UTC midnight: when the day's budget starts again."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1)


def seconds_until_reset(moment: datetime) -> int:
    return max(1, math.ceil((reset_at(moment) - moment).total_seconds()))


def payer_kind(owner: str) -> str:
    """A caller's kind for telemetry (never its identifiers): key, entra."""
    return "entra" if owner.startswith(ENTRA_PREFIX) else "key"


def version_charge(container: str, name: str, etag: str) -> str:
    """One blob version's charge key: its redeliveries and retries that day are charged once."""
    key = name_key(f"{container}/{name}\n{etag}")
    return f"version-{key[:32]}"


def job_charge(job_id: str) -> str:
    """A job's charge key: its acceptance (POST /api/transcriptions) and its run are charged once.
    Hashed: a job id is a bearer handle to its transcript, and the table needs none."""
    return f"job-{name_key(job_id)[:32]}"


@dataclass(frozen=True)
class BudgetKeys:
    """Where one owner's day lives in the table: one partition per owner (by its hash, never its
    identifiers), so the day's total and its charges change together in one transaction."""

    partition: str
    usage_row: str
    day: str

    @classmethod
    def of(cls, owner: str, moment: datetime) -> BudgetKeys:
        day = day_of(moment)
        return cls(owner_key(owner), f"{USAGE_PREFIX}{day}", day)

    def charge_row(self, charge: str) -> str:
        return f"{CHARGE_PREFIX}{self.day}-{charge}"
