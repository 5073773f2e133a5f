"""A job accepted: its audio stored (or its blob checked), its record written, its message queued.

POST /api/transcriptions parses like /api/transcribe (same bounds, options and blob-name checks);
body audio is stored as `jobs/<id>/<file name>` in the audio container (`audio` when it came with
no name; a name only its job owns, removed when the job ends: `transcriber.flows.jobs.outcome`,
unless the caller keeps it). The job records its caller as its owner and enters the owner index (`transcriber.flows.jobs.owners`);
a blob is transcribed only for a caller who may name it (`transcriber.flows.grants`). The job is
charged to its caller's audio budget here (`transcriber.flows.budget`: 429 beyond it), and its
run, charged under the same key, costs nothing more.
"""

from __future__ import annotations

from transcriber.adapters.callbacks import check_callback_url
from transcriber.domain import names
from transcriber.domain.audio_budget import job_charge
from transcriber.domain.audio_header import HEAD_BYTES
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.job_record import JobRecord
from transcriber.domain.names import JOB_AUDIO_PREFIX, job_audio_name
from transcriber.domain.options import effective_options
from transcriber.domain.owners import Caller
from transcriber.domain.statuses import QUEUED
from transcriber.domain.transcribe_request import TranscribeRequest
from transcriber.flows import budget, routing
from transcriber.flows.grants import check_blob_allowed
from transcriber.flows.jobs import owners, records
from transcriber.services import TranscriptionService


async def accept_job(
    service: TranscriptionService,
    request: TranscribeRequest,
    callback: str | None,
    caller: Caller,
    *,
    file_name: str | None = None,
    keep_audio: bool = False,
) -> JobRecord:
    """The new job's record, once its audio is stored and its message queued."""
    settings, store = service.settings, service.store
    if callback is not None:
        check_callback_url(settings, callback)
    effective_options(request.options, settings.defaults)  # a clash is a 400 now, as /api/transcribe's
    job_id = names.new_job_id()
    if request.blob is not None:
        if request.blob.startswith(JOB_AUDIO_PREFIX):
            raise InvalidRequestError(
                f"blobs under {JOB_AUDIO_PREFIX} belong to jobs", code="InvalidBlobName"
            )
        head_needed = settings.batch.enabled or settings.budget.enabled
        await check_blob_allowed(
            service, caller, request.blob, "GetBlob" if head_needed else "GetBlobProperties"
        )
        if head_needed:  # the version and its header: the limits check and the budget read both
            info, head = await store.read_start(settings.audio_container, request.blob, HEAD_BYTES)
            if settings.batch.enabled:
                routing.refuse_batch_options(settings, info, head, request.options)
            await budget.charge_audio(service, caller.owner, job_charge(job_id), head, info.size)  # or 429
        else:
            info = await store.properties(settings.audio_container, request.blob)
    else:
        assert request.audio is not None
        head = bytes(memoryview(request.audio)[:HEAD_BYTES])
        if settings.batch.enabled:
            probe = BlobInfo(
                settings.audio_container, job_audio_name(job_id, file_name), "", len(request.audio), None
            )
            routing.refuse_batch_options(settings, probe, head, request.options)
        # before the audio is stored: a caller over budget leaves nothing behind
        await budget.charge_audio(service, caller.owner, job_charge(job_id), head, len(request.audio))
        await store.ensure_containers(settings.containers, create=settings.create_containers)
        name = job_audio_name(job_id, file_name)  # its outputs keep the name the caller knows
        content_type = request.content_type or "application/octet-stream"
        await store.write(settings.audio_container, name, request.audio, content_type, if_absent=True)
        info = await store.properties(settings.audio_container, name)
    await store.ensure_containers(
        (settings.transcripts_container, settings.failures_container), create=settings.create_containers
    )
    record = JobRecord(job_id, QUEUED, info, request.options, 0, records.now(), callback_url=callback)
    record.owner, record.file_name = caller.owner, file_name
    record.keep_audio = True if keep_audio and request.blob is None else None
    await owners.index_job(service, record)
    await records.write_job(service, record, create=True)
    await service.jobs.send(job_id)
    return record
