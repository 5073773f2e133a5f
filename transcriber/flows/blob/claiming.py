"""One worker per blob version: the version's claim, and whether the version has its outcome.

Concurrent deliveries race for the claim (`transcriber.flows.claims`); the others wait until the
holder's outcome is written (then return) or its claim goes stale (then take over), so a holder
that died still leaves an outcome, and a delivery never reports success for nothing.
"""

from __future__ import annotations

import asyncio
import logging

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.failure_record import FailureRecord
from transcriber.domain.privacy import logged_name
from transcriber.flows import claims
from transcriber.flows.batch import claim_handover
from transcriber.flows.outcomes import version_done
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def claim_version(
    service: TranscriptionService, claimant: claims.Claimant, job_id: str | None = None
) -> tuple[claims.Claim | None, FailureRecord | None, bool | None]:
    """The version's claim, the name's failure record and whether that was read (`checked`); no
    claim when the version has its outcome, nor (with `checked` None) while a batch job holds it.

    A claim just created for a recent version is conclusive (nobody has touched the version):
    no outcome or record is read. Otherwise the outcome is checked before and after a takeover.
    """
    info = claimant.info
    claim = await claimant.create()
    if claim is not None and claims.conclusive(claim, info):
        return claim, None, False
    while True:
        done, record = await version_done(service, info)
        if done:
            if claim is not None and claim.took_over:  # finished just before we took it over
                await claimant.release(claim)
            return None, None, True
        if claim is not None:
            return claim, record, True
        claim = await claimant.take()
        if claim is None and await _batch_holds(service, info, job_id):
            return None, None, None
        if claim is None:
            logger.info(
                "%s (etag %s) is claimed by another delivery: waiting", logged_name(info.name), info.etag
            )
            await asyncio.sleep(claims.poll_seconds(service.settings.claim_timeout_seconds))


async def _batch_holds(service: TranscriptionService, info: BlobInfo, job_id: str | None) -> bool:
    """A batch job holds this version's claim (for hours): return at once; a job follows it."""
    holder = await claim_handover.held_by_batch(service, info)
    if holder is not None and job_id is not None and holder != job_id:
        await claim_handover.follow(service, job_id, holder)
    return holder is not None
