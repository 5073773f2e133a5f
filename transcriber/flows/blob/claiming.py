"""One worker per blob version: the version's claim, and whether the version has its outcome.

Concurrent deliveries race for the claim (`transcriber.flows.claims`). A delivery that loses
never waits for the holder: it says who holds the version (`Claimed.busy`), and the blob flow
hands the version to the queue to look again (`transcriber.flows.deferral`), so a holder that
died still leaves an outcome and no invocation spends its time waiting for another.
"""

from __future__ import annotations

from dataclasses import dataclass

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.failure_record import FailureRecord
from transcriber.flows import claims
from transcriber.flows.batch import claim_handover
from transcriber.flows.outcomes import version_done
from transcriber.services import TranscriptionService

BATCH, DEFERRED, HELD = "batch", "deferred", "held"


@dataclass(frozen=True)
class Claimed:
    """The version's claim, or why there is none.

    `record`: the name's failure record, when it was read (`checked`). Without a claim, `checked`
    means the version has its outcome; otherwise `busy` says who has it: a batch job, a deferral
    (its queue message brings it back), or another delivery (stale in `stale_in` seconds).
    """

    claim: claims.Claim | None
    record: FailureRecord | None = None
    checked: bool | None = None
    busy: str | None = None
    stale_in: float = 0.0


async def claim_version(
    service: TranscriptionService, claimant: claims.Claimant, job_id: str | None = None
) -> Claimed:
    """The version's claim, unless the version has its outcome or someone else holds it.

    A claim just created for a recent version is conclusive (nobody has touched the version):
    no outcome or record is read. Otherwise the outcome is checked before and after a takeover.
    """
    info = claimant.info
    claim = await claimant.create()
    if claim is not None and claims.conclusive(claim, info):
        return Claimed(claim, None, False)
    while True:
        done, record = await version_done(service, info)
        if done:
            if claim is not None and claim.took_over:  # finished just before we took it over
                await claimant.release(claim)
            return Claimed(None, None, True)
        if claim is not None:
            return Claimed(claim, record, True)
        claim = await claimant.take()
        if claim is None and await _batch_holds(service, info, job_id):
            return Claimed(None, busy=BATCH)
        holder = claimant.holder
        if claim is None and holder is not None and holder.job is not None:
            claim = await claimant.take()  # the batch job looked at it no more: released, take it now
        if claim is not None:
            continue
        holder = claimant.holder
        if holder is not None and holder.deferred:
            return Claimed(None, busy=DEFERRED, stale_in=claimant.stale_in)
        return Claimed(None, busy=HELD, stale_in=claimant.stale_in)


async def _batch_holds(service: TranscriptionService, info: BlobInfo, job_id: str | None) -> bool:
    """A batch job holds this version's claim (for hours): return at once; a job follows it."""
    holder = await claim_handover.held_by_batch(service, info)
    if holder is not None and job_id is not None and holder != job_id:
        await claim_handover.follow(service, job_id, holder)
    return holder is not None
