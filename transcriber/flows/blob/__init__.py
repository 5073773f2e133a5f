"""The blob flow: one uploaded recording in, one transcript set or one failure record out.

The version claimed, audio over the fast limits handed to batch, a version Speech cannot take now
deferred through the queue, the outcome written (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import logging

from transcriber.domain.audio_budget import job_charge, version_charge
from transcriber.domain.audio_check import SNIFF_BYTES, check_audio
from transcriber.domain.audio_header import HEAD_BYTES
from transcriber.domain.errors import (
    AudioRejectedError,
    BlobNotFoundError,
    BudgetExceededError,
    ContainerMissingError,
    InvalidBlobNameError,
    ServiceThrottledError,
    ThrottledTooLongError,
    UnsupportedMediaError,
)
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import check_blob_name
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.outcomes import BlobOutcome
from transcriber.domain.privacy import logged_name
from transcriber.flows import budget, claims, deferral, routing
from transcriber.flows.batch import claim_handover
from transcriber.flows.blob.claiming import BATCH, DEFERRED, HELD, claim_version
from transcriber.flows.outcomes import refuse_name, transcribe_and_record
from transcriber.flows.transcribe import Transcription
from transcriber.services import TranscriptionService

__all__ = ["process_blob"]

logger = logging.getLogger(__name__)


async def process_blob(
    service: TranscriptionService,
    name: str,
    invocation: Invocation,
    options: TranscriptionRequestOptions | None = None,
    job_id: str | None = None,
    owner: str | None = None,
    payer: str | None = None,
) -> BlobOutcome:
    """Transcribe one blob of the audio container, exactly once per blob version.

    `options` (a job's) replace the app's defaults; a version already transcribed stays as it is.
    Audio over fast transcription's limits is handed to batch (`transcriber.flows.batch`): the outcome
    is "queued", and the batch job (`job_id`'s, for a job) writes the transcript set later. While
    Speech is busy or another delivery holds the version, it is "deferred" to the queue
    (`transcriber.flows.deferral`); `owner`: the claim a deferred version's message comes back to.
    `payer`: whose audio budget a job's run is charged to (`transcriber.flows.budget`); a blob
    event's is its upload grant's caller, or the app's.
    """
    settings, store = service.settings, service.store
    try:
        await store.ensure_containers(
            (settings.transcripts_container, settings.failures_container), create=settings.create_containers
        )
    except ContainerMissingError as exc:
        logger.error("cannot record any outcome: %s", exc.message)
        raise
    try:
        check_blob_name(name)
    except InvalidBlobNameError as exc:
        return await refuse_name(service, name, exc)
    try:  # the version and its first bytes in one ranged GET (the limits check reads them)
        info, head = await store.read_start(settings.audio_container, name, HEAD_BYTES)
    except BlobNotFoundError:
        logger.warning("blob %s is gone before it could be transcribed", logged_name(name))
        return BlobOutcome("gone", name)
    claimant = claims.Claimant(service, info, invocation, owner)
    claimed = await claim_version(service, claimant, job_id)
    claim, record, checked = claimed.claim, claimed.record, claimed.checked
    if claim is None:
        # a job looks again itself; a blob event leaves a deferred version to its own message
        if claimed.busy == HELD or (claimed.busy == DEFERRED and job_id is not None):
            return await deferral.look_again(service, info, job_id, claimed.stale_in)
        status = {None: "skipped", BATCH: "queued"}.get(claimed.busy, "deferred")
        return BlobOutcome(status, name)
    outcome = None
    options = options or settings.defaults

    async def record_error(error: Exception) -> BlobOutcome:
        """A final failure record naming `error`, as the blob flow records its own."""

        async def fail() -> Transcription:
            raise error

        return await transcribe_and_record(
            service, info, invocation, head, options, record, checked=checked, produce=fail
        )

    try:
        try:  # before any Speech call, by either route
            charge = (
                job_charge(job_id) if job_id is not None else version_charge(info.container, name, info.etag)
            )
            await budget.charge_audio(
                service, payer or await budget.blob_payer(service, name), charge, head, info.size
            )
        except BudgetExceededError as over:  # the version waits for the reset, nothing is lost
            try:
                outcome = await deferral.defer_for_budget(service, info, claim, job_id, over)
            except BudgetExceededError as final:
                outcome = await record_error(final)
            return outcome
        reason = routing.over_fast_limits(settings, info, head) if settings.batch.enabled else None
        if reason is None:
            try:
                outcome = await transcribe_and_record(
                    service, info, invocation, head, options, record, checked=checked
                )
                return outcome
            except routing.UseBatch as use:  # the service's own limit error
                reason = str(use)
            except ServiceThrottledError as busy:  # no attempt spent: the version waits in the queue
                try:
                    outcome = await deferral.defer_busy(service, info, claim, job_id, busy.retry_after)
                except ThrottledTooLongError as waited:
                    outcome = await record_error(waited)
                return outcome
        # an option batch lacks, or content that is not audio: a final failure record, no SAS
        refused = routing.batch_option_error(options, settings.defaults) or _not_audio(head)
        if refused is not None:
            outcome = await record_error(refused)
            return outcome
        outcome = BlobOutcome("queued", name)  # from here the hand-over releases the claim if it fails
        await claim_handover.hand_over(service, info, claim, options, reason, job_id)
        return outcome
    finally:  # a success keeps its claim: the version's mark (transcriber.flows.claims)
        if outcome is None or outcome.status == "failed":
            await claimant.release(claim)


def _not_audio(head: bytes) -> UnsupportedMediaError | AudioRejectedError | None:
    """Why content on its way to batch is no audio (the fast route checks it in `transcribe_blob`)."""
    try:
        check_audio(head[:SNIFF_BYTES])
    except (UnsupportedMediaError, AudioRejectedError) as exc:
        return exc
    return None
