"""One worker per blob version: a claim is a small blob created with `If-None-Match: *`.

Azure lets exactly one create succeed, so one Speech call is made (docs/ARCHITECTURE.md, "Claims").
A claim's JSON is `transcriber.domain.claim_record`; this module reads and writes it.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.claim_record import HELD, RELEASED, ClaimRecord
from transcriber.domain.errors import ConditionNotMetError
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import claim_name
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)
# Shorter than any lifecycle rule keeps a claim (retentionDays >= 1, claimRetentionDays >= 2).
FRESH_VERSION_WINDOW = timedelta(hours=12)


@dataclass(frozen=True)
class Claim:
    """A held claim: its blob, that blob's etag, and how it was had (created, taken over, or
    resumed by a deferred version's message, with the deferrals so far)."""

    name: str
    etag: str
    took_over: bool = False
    created: bool = False
    deferrals: int = 0
    deferred_since: str | None = None
    deferred_for: str | None = None


def conclusive(claim: Claim, info: BlobInfo) -> bool:
    """The claim was created just now for a version too recent to have lost an earlier claim:
    no delivery of this version ever started, so it has no outcome and no failure record."""
    if not claim.created or info.last_modified is None:
        return False
    return datetime.now(UTC) - info.last_modified < FRESH_VERSION_WINDOW


class Claimant:
    """One delivery's attempts at a version's claim, all under one owner id (so a create whose
    reply was lost and retried is recognised as its own). A deferred version's message brings
    the owner its claim was kept for (`transcriber.flows.deferral`)."""

    def __init__(
        self, service: TranscriptionService, info: BlobInfo, invocation: Invocation, owner: str | None = None
    ) -> None:
        self.service, self.info, self.invocation = service, info, invocation
        self.owner = owner or uuid.uuid4().hex
        self.name = claim_name(info)
        self.holder: ClaimRecord | None = None  # the live holder's claim, when `take` found one
        self.stale_in = 0.0  # and the seconds until it goes stale

    def _record(self) -> ClaimRecord:
        return ClaimRecord(
            HELD,
            owner=self.owner,
            invocation_id=self.invocation.invocation_id,
            claimed_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            source_container=self.info.container,
            source_etag=self.info.etag,
        )

    async def _write(self, *, if_absent: bool = False, if_etag: str | None = None) -> str:
        return await write_claim(
            self.service, self.name, self._record(), if_absent=if_absent, if_etag=if_etag
        )

    async def create(self) -> Claim | None:
        """The claim if nobody had it (`created`), else None: one conditional create."""
        try:
            return Claim(self.name, await self._write(if_absent=True), created=True)
        except ConditionNotMetError:
            return None

    async def take(self) -> Claim | None:
        """The existing claim when it is ours, released or stale; None while a live holder has it."""
        for _ in range(3):  # held, or deleted between a create and our read
            found = await read_claim(self.service, self.name)
            if found is None:
                claim = await self.create()
                if claim is not None:
                    return claim
                continue
            record, etag, modified = found
            if record.owner == self.owner and record.deferred:  # kept for this deferred version's message
                return Claim(
                    self.name,
                    etag,
                    deferrals=record.deferrals or 0,
                    deferred_since=record.deferred_since,
                    deferred_for=record.deferred_for,
                )
            if record.owner == self.owner:  # our own create, whose first reply was lost and retried
                return Claim(self.name, etag, created=True)
            age = datetime.now(UTC) - modified
            released = record.state == RELEASED
            # a batch job or a deferral holds its claim for its whole wait (claim_handover, deferral)
            live = max(self.service.settings.claim_timeout_seconds, int(record.stale_after_seconds or 0))
            if not released and age < timedelta(seconds=live):
                self.holder, self.stale_in = record, (timedelta(seconds=live) - age).total_seconds()
                return None
            try:
                taken = await self._write(if_etag=etag)
            except ConditionNotMetError:
                return None  # another delivery took it over first
            if not released:
                logger.warning("took over a stale claim (%.0f s old) on a blob version", age.total_seconds())
            return Claim(self.name, taken, took_over=True)
        return None

    async def release(self, claim: Claim) -> None:
        await release(self.service, claim)


async def release(service: TranscriptionService, claim: Claim) -> None:
    """After a failed attempt (or a hand-over that ends without an outcome): mark the claim
    released unless someone took it over, so the next delivery goes on at once. Never delete a
    claim: a version whose claim is gone looks untouched to its next delivery (`conclusive`).
    A failure here only delays the next delivery (the claim goes stale)."""
    record = ClaimRecord(RELEASED, released_at=datetime.now(UTC).isoformat(timespec="milliseconds"))
    try:
        await write_claim(service, claim.name, record, if_etag=claim.etag)
    except Exception as exc:
        logger.warning("could not release a claim: %s", getattr(exc, "message", type(exc).__name__))


async def read_claim(service: TranscriptionService, name: str) -> tuple[ClaimRecord, str, datetime] | None:
    """The claim `name` with its etag and when it was last written, or None when there is none."""
    found = await service.store.read_record(service.settings.failures_container, name)
    return (ClaimRecord.from_json(found[0]), found[1], found[2]) if found is not None else None


async def write_claim(
    service: TranscriptionService,
    name: str,
    record: ClaimRecord,
    *,
    if_absent: bool = False,
    if_etag: str | None = None,
) -> str:
    """Write the claim (`if_absent`: only a new one; `if_etag`: only over that one), returning its etag."""
    body = json.dumps(record.to_json())
    return await service.store.write(
        service.settings.failures_container,
        name,
        body,
        "application/json",
        if_absent=if_absent,
        if_etag=if_etag,
    )
