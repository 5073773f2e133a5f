"""A blob's outcome, read back from storage: what `python -m transcriber status NAME` reports.

In the jobs API's words (`transcriber.domain.statuses`): `queued` until a worker or a batch job
holds the version, then `running` (a transient failure being retried included, with its error),
`deferred`, and at the end `succeeded` or `failed`; `not-found` when there is no such blob.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from transcriber.domain.claim_record import HELD, ClaimRecord
from transcriber.domain.errors import BlobNotFoundError
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.job_record import BATCH_SUBMIT
from transcriber.domain.names import claim_name, failure_name, output_name
from transcriber.domain.statuses import DEFERRED, FAILED, FINISHED, QUEUED, RUNNING, SUCCEEDED
from transcriber.flows.claims import read_claim
from transcriber.flows.failures import read_failure
from transcriber.flows.jobs.records import read_job
from transcriber.services import TranscriptionService

NOT_FOUND = "not-found"  # no such blob: the one state that is not a job's status


@dataclass(frozen=True)
class BlobStatus:
    """Where one blob stands; `outputs` names its transcript set or its failure record; `error`
    is a final failure's, or (`running`, its `retrying` set) the one a retry follows."""

    name: str
    state: str
    etag: str | None = None
    outputs: list[str] = field(default_factory=list)
    error: RecordedError | None = None
    attempts: int | None = None
    batch: dict[str, Any] | None = None
    deferred: dict[str, Any] | None = None  # {"until", "since", "deferrals", "reason"}

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"name": self.name, "state": self.state, "etag": self.etag}
        if self.outputs:
            record["outputs"] = self.outputs
        if self.error is not None:
            record["error"] = self.error.to_json()
        if self.attempts is not None:
            record["attempts"] = self.attempts
        if self.batch is not None:
            record["batch"] = self.batch
        if self.deferred is not None:
            record["deferred"] = self.deferred
        return record


async def blob_status(service: TranscriptionService, name: str) -> BlobStatus:
    """Read the audio blob's current version and whichever outcome matches it."""
    settings, store = service.settings, service.store
    try:
        info = await store.properties(settings.audio_container, name)
    except BlobNotFoundError:
        return BlobStatus(name, NOT_FOUND)
    transcripts = settings.transcripts_container
    if await store.source_etag(transcripts, output_name(name, "json")) == info.etag:
        formats = ("json", *settings.output_formats)
        return BlobStatus(name, SUCCEEDED, info.etag, [output_name(name, fmt) for fmt in formats])
    record = await read_failure(service, name)
    if record is not None and record.source_etag == info.etag and record.final:
        return BlobStatus(name, FAILED, info.etag, [failure_name(name)], record.error, record.attempts)
    found = await read_claim(service, claim_name(info))
    claim = found[0] if found is not None else None
    if claim is not None and claim.deferred:  # busy Speech, spent budget: its message brings it back
        deferred = {
            "until": claim.deferred_until,
            "since": claim.deferred_since,
            "deferrals": claim.deferrals,
            "reason": claim.deferred_for or "busy",
        }
        return BlobStatus(name, DEFERRED, info.etag, deferred=deferred)
    if record is not None and record.source_etag == info.etag:
        error = dataclasses.replace(record.error, retrying=True) if record.error is not None else None
        return BlobStatus(name, RUNNING, info.etag, [failure_name(name)], error, record.attempts)
    batch = await _batch_job(service, claim)
    held = claim is not None and claim.state == HELD  # a worker has it now (claims are per version)
    return BlobStatus(name, RUNNING if batch is not None or held else QUEUED, info.etag, batch=batch)


async def _batch_job(service: TranscriptionService, claim: ClaimRecord | None) -> dict[str, Any] | None:
    """The batch job holding this version, as the job record says (read only: nothing is taken over)."""

    job_id = claim.job if claim is not None and claim.state == HELD else None
    if job_id is None:
        return None
    record = await read_job(service, job_id)
    batch = record.batch if record is not None else None
    if record is None or batch is None or record.status in FINISHED:
        return None
    if batch.state == BATCH_SUBMIT:
        state = "submitting"
    else:
        state = "running" if batch.service_status == "Running" else "submitted"
    shown: dict[str, Any] = {"job": job_id, "state": state, "reason": batch.reason}
    for key, value in (
        ("submittedAt", batch.submitted_at),
        ("nextLookAt", batch.next_look_at),
        ("polls", batch.polls),
    ):
        if value is not None:
            shown[key] = value
    if batch.last_error and batch.errors:
        shown["lastError"] = batch.last_error.to_json()
    return shown
