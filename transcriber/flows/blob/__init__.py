"""The blob flow: one uploaded recording in, one transcript set or one failure record out.

The version claimed, audio over the fast limits handed to batch, the outcome written (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import logging

from transcriber.domain.audio_header import HEAD_BYTES
from transcriber.domain.errors import BlobNotFoundError, ContainerMissingError, InvalidBlobNameError
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import check_blob_name
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.outcomes import BlobOutcome
from transcriber.domain.privacy import logged_name
from transcriber.flows import claims
from transcriber.flows import routing as batch_routing
from transcriber.flows.batch import claim_handover
from transcriber.flows.blob.claiming import claim_version
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
) -> BlobOutcome:
    """Transcribe one blob of the audio container, exactly once per blob version.

    `options` (a job's) replace the app's defaults; a version already transcribed stays as it is.
    Audio over fast transcription's limits is handed to batch (`transcriber.flows.batch`): the outcome
    is "queued", and the batch job (`job_id`'s, for a job) writes the transcript set later.
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
    claimant = claims.Claimant(service, info, invocation)
    claim, record, checked = await claim_version(service, claimant, job_id)
    if claim is None:
        return BlobOutcome("skipped" if checked is not None else "queued", name)
    outcome = None
    options = options or settings.defaults
    try:
        reason = batch_routing.over_fast_limits(settings, info, head) if settings.batch.enabled else None
        if reason is None:
            try:
                outcome = await transcribe_and_record(
                    service, info, invocation, head, options, record, checked=checked
                )
                return outcome
            except batch_routing.UseBatch as use:  # the service's own limit error
                reason = str(use)
        refused = batch_routing.batch_option_error(options, settings.defaults)
        if refused is not None:  # an option batch lacks: a final failure record naming it, no SAS

            async def refuse() -> Transcription:
                raise refused

            outcome = await transcribe_and_record(
                service, info, invocation, head, options, record, checked=checked, produce=refuse
            )
            return outcome
        outcome = BlobOutcome("queued", name)  # from here the hand-over releases the claim if it fails
        await claim_handover.hand_over(service, info, claim, options, reason, job_id)
        return outcome
    finally:  # a success keeps its claim: the version's mark (transcriber.flows.claims)
        if outcome is None or outcome.status == "failed":
            await claimant.release(claim)
