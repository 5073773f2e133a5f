"""The blob job: one uploaded recording in, one transcript set or one failure record out.

Layout (no source name can reach another blob's outputs or records):
- transcripts container: `<name>.json` (+ `.txt`, `.srt`, `.vtt`), the set for one source blob;
- failures container: `failed/<name>.json` failure records, `invalid/<key>.json` for events
  naming an invalid blob, and `claims/...` (see `transcriber.claims`).

- Idempotent: `<name>.json` carries the source etag in its metadata, so a repeated event for the
  same blob version calls the service zero times and writes nothing; a new version replaces it.
- One worker per version: concurrent deliveries race for a claim; the others wait until the
  holder's outcome is written (then return) or its claim goes stale (then take over), so a
  holder that died still leaves an outcome, and a delivery never reports success for nothing.
- Permanent failures (not audio, empty, a service 4xx other than 429, an invalid name) write a
  final failure record, log a WARNING and return normally: retrying cannot help.
- Transient failures (429, 5xx, timeouts, credentials) update the failure record with the attempt
  count and raise, so the host retries; the last try's record says `final: true`.
Invariant: the end of every success removes the version's failure record; the end of every
final failure removes the name's transcript set. So every blob version ends with exactly one
transcript set or exactly one failure record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from transcriber import claims, formats
from transcriber.audio_header import HEAD_BYTES
from transcriber.batch import handover as batch_handover
from transcriber.batch import routing as batch_routing
from transcriber.blob_names import InvalidBlobNameError, check_blob_name
from transcriber.errors import BlobNotFoundError, ServiceError, TranscriberError
from transcriber.failure_records import failure_name, invalid_name_record, write_failure
from transcriber.jobs.completions import notify_blob
from transcriber.options import TranscriptionRequestOptions
from transcriber.privacy import blob_label
from transcriber.redaction import redacted_cause
from transcriber.rendering import render_files
from transcriber.service import Invocation, TranscriptionService, get_service
from transcriber.storage import BlobInfo, ContainerMissingError
from transcriber.transcription import Transcription, track, transcribe_blob

logger = logging.getLogger(__name__)
# Audio sent to POST /api/transcriptions is stored under this prefix; its job, not the blob
# trigger, transcribes it (with the caller's options).
JOB_AUDIO_PREFIX = "jobs/"


@dataclass(frozen=True)
class BlobOutcome:
    """What happened: transcribed, skipped (done already, or by the claim's holder), failed, or gone."""

    status: str
    name: str
    outputs: list[str] = field(default_factory=list)
    error: TranscriberError | None = None


def output_name(name: str, fmt: str) -> str:
    return f"{name}.{fmt}"


def logged_name(name: str) -> str:
    """How a blob name appears in logs: its keyed id unless names are allowed (transcriber.privacy).

    Control characters are escaped, so a hostile name cannot forge a log line.
    """
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in blob_label(name))


async def handle_blob(name: str, invocation: Invocation) -> BlobOutcome:
    """The blob trigger's entry: correlated telemetry around one job, flushed when it ends."""
    service = get_service()
    async with service.telemetry.invocation(
        name=invocation.function, traceparent=invocation.traceparent, invocation_id=invocation.invocation_id
    ):
        if name.startswith(JOB_AUDIO_PREFIX):
            logger.info("%s belongs to a transcription job; its job transcribes it", logged_name(name))
            return BlobOutcome("skipped", name)
        return await process_blob(service, name, invocation)


async def process_blob(
    service: TranscriptionService,
    name: str,
    invocation: Invocation,
    options: TranscriptionRequestOptions | None = None,
    job_id: str | None = None,
) -> BlobOutcome:
    """Transcribe one blob of the audio container, exactly once per blob version.

    `options` (a job's) replace the app's defaults; a version already transcribed stays as it is.
    Audio over fast transcription's limits is handed to batch (`transcriber.batch`): the outcome
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
        return await _refuse_name(service, name, exc)
    try:  # the version and its first bytes in one ranged GET (the limits check reads them)
        info, head = await store.read_start(settings.audio_container, name, HEAD_BYTES)
    except BlobNotFoundError:
        logger.warning("blob %s is gone before it could be transcribed", logged_name(name))
        return BlobOutcome("gone", name)
    claimant = claims.Claimant(service, info, invocation)
    claim, record, checked = await _claim(service, claimant, job_id)
    if claim is None:
        return BlobOutcome("skipped" if checked is not None else "queued", name)
    outcome = None
    options = options or settings.defaults
    try:
        reason = batch_routing.over_fast_limits(settings, info, head) if settings.batch.enabled else None
        if reason is None:
            try:
                outcome = await _transcribe(service, info, invocation, head, options, record, checked=checked)
                return outcome
            except batch_routing.UseBatch as use:  # the service's own limit error
                reason = str(use)
        refused = batch_routing.batch_option_error(options, settings.defaults)
        if refused is not None:  # an option batch lacks: a final failure record naming it, no SAS

            async def refuse() -> Transcription:
                raise refused

            outcome = await _transcribe(
                service, info, invocation, head, options, record, checked=checked, produce=refuse
            )
            return outcome
        outcome = BlobOutcome("queued", name)  # from here the hand-over releases the claim if it fails
        await batch_handover.hand_over(service, info, claim, options, reason, job_id)
        return outcome
    finally:  # a success keeps its claim: the version's mark (transcriber.claims)
        if outcome is None or outcome.status == "failed":
            await claimant.release(claim)


async def _claim(
    service: TranscriptionService, claimant: claims.Claimant, job_id: str | None = None
) -> tuple[claims.Claim | None, dict[str, Any] | None, bool | None]:
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
        done, record = await _done(service, info)
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
    holder = await batch_handover.held_by_batch(service, info)
    if holder is not None and job_id is not None and holder != job_id:
        await batch_handover.follow(service, job_id, holder)
    return holder is not None


async def write_outcome(
    service: TranscriptionService,
    info: BlobInfo,
    invocation: Invocation,
    options: TranscriptionRequestOptions,
    produce: Callable[[], Awaitable[Transcription]],
) -> BlobOutcome:
    """A transcription made elsewhere (a batch job's), or its error, recorded as this pipeline
    records its own: the same outputs, failure records, notices; nothing when already done."""
    done, record = await _done(service, info)
    if done:
        return BlobOutcome("skipped", info.name)
    return await _transcribe(service, info, invocation, b"", options, record, checked=True, produce=produce)


async def outcome_written(service: TranscriptionService, info: BlobInfo) -> bool:
    """This version already has its transcript set or its final failure record."""
    return (await _done(service, info))[0]


async def _done(service: TranscriptionService, info: BlobInfo) -> tuple[bool, dict[str, Any] | None]:
    """Whether this version already has its transcript set or its final failure record, and the
    name's failure record (two independent reads, at once)."""
    settings = service.settings
    etag, record = await asyncio.gather(
        service.store.source_etag(settings.transcripts_container, output_name(info.name, "json")),
        service.store.read_json(settings.failures_container, failure_name(info.name)),
    )
    if etag == info.etag:
        logger.info("%s (etag %s) is already transcribed; nothing to do", logged_name(info.name), info.etag)
        return True, record
    if record and record.get("source", {}).get("etag") == info.etag and record.get("final"):
        logger.info("%s (etag %s) already failed for good; nothing to do", logged_name(info.name), info.etag)
        return True, record
    return False, record


async def _transcribe(
    service: TranscriptionService,
    info: BlobInfo,
    invocation: Invocation,
    head: bytes,
    options: TranscriptionRequestOptions,
    record: dict[str, Any] | None,
    *,
    checked: bool,
    produce: Callable[[], Awaitable[Transcription]] | None = None,
) -> BlobOutcome:
    """`record`: the name's failure record as read after claiming, when `checked`; unchecked, a
    record can only be an earlier version's (the claim is conclusive). `produce` (a batch job's)
    gives the transcription instead of fast transcription."""
    settings, name = service.settings, info.name
    clock = time.perf_counter()
    try:
        if produce is not None:
            transcription = await produce()
        else:
            transcription = await transcribe_blob(service, info, options, head=head)
        outputs = await _write_outputs(
            service, info, transcription, clear_record=record is not None or not checked
        )
    except Exception as exc:
        if produce is None and batch_routing.rerouted(settings, exc):
            raise batch_routing.UseBatch(getattr(exc, "code", "")) from None
        error = exc if isinstance(exc, TranscriberError) else ServiceError(f"unexpected {type(exc).__name__}")
        if not isinstance(exc, TranscriberError):
            logger.exception("unexpected failure transcribing %s", logged_name(name))
        same_version = bool(record) and record.get("source", {}).get("etag") == info.etag
        previous = int(record.get("attempts", 0)) if same_version and record else 0
        attempts = max(previous + 1, (invocation.retry_count or 0) + 1)
        final = not error.transient or attempts >= settings.blob_max_attempts or _last_try(invocation)
        await write_failure(service, info.as_record(), failure_name(name), error, attempts, final)
        if final:
            await _remove_outputs(service, name)
            logger.warning(
                "blob %s failed for good after %d attempt(s): %s: %s",
                logged_name(name),
                attempts,
                error.code,
                error.message,
            )
        _track(service, info, error=error, latency_ms=(time.perf_counter() - clock) * 1000)
        await _erase_if_gone(service, name)
        if final:
            await notify_blob(service, info, "failed", error=error)
        if error.transient:
            if error is exc:
                raise
            raise error from redacted_cause(exc)
        return BlobOutcome("failed", name, [failure_name(name)], error)

    _track(service, info, transcription=transcription, latency_ms=transcription.latency_ms)
    await notify_blob(service, info, "succeeded", outputs=outputs)
    logger.info(
        "transcribed %s: %s phrases, %s s of audio",
        logged_name(name),
        transcription.phrase_count,
        transcription.audio_seconds,
    )
    if await _erase_if_gone(service, name):
        return BlobOutcome("gone", name)
    return BlobOutcome("transcribed", name, outputs)


def _last_try(invocation: Invocation) -> bool:
    """The trigger will not deliver this again (a job's queue poisons it after this try)."""
    tries = invocation.max_tries
    return tries is not None and (invocation.retry_count or 0) + 1 >= tries


async def _erase_if_gone(service: TranscriptionService, name: str) -> bool:
    """The recording may have been deleted (and its erasure run) while it was transcribed."""
    from transcriber.erasure import erase_if_gone

    try:
        return await erase_if_gone(service, name)
    except TranscriberError as exc:  # the BlobDeleted event, if any, erases later
        logger.warning("could not check whether %s still exists: %s", logged_name(name), exc.message)
        return False


async def _refuse_name(service: TranscriptionService, name: str, error: InvalidBlobNameError) -> BlobOutcome:
    """An event named a blob no client may touch: a permanent record under a name that fits."""
    record_name = invalid_name_record(name)
    source = {"container": service.settings.audio_container, "name": ascii(name)[1:-1][:512]}
    await write_failure(service, source, record_name, error, 1, True)
    logger.warning("blob event refused: %s: %s (%s)", error.code, error.message, logged_name(name))
    return BlobOutcome("failed", name, [record_name], error)


async def _write_outputs(
    service: TranscriptionService, info: BlobInfo, transcription: Transcription, *, clear_record: bool
) -> list[str]:
    """Formats and the removal of the name's failure record (`clear_record`) at once, then the
    JSON: the JSON (with the source etag) marks the set complete, so no crash leaves a complete
    set beside a record. Formats are rendered off the loop when long."""
    settings = service.settings
    document: dict[str, Any] = {
        **transcription.result,
        "source": info.as_record(),
        "processing": transcription.processing_record(service),
    }
    files = await render_files(transcription.result, settings.output_formats, document)
    written = [output_name(info.name, fmt) for fmt in settings.output_formats]
    await asyncio.gather(
        *(
            service.store.write(
                settings.transcripts_container, name, files[fmt], formats.CONTENT_TYPES[fmt], info.etag
            )
            for fmt, name in zip(settings.output_formats, written, strict=True)
        ),
        *(
            [service.store.delete(settings.failures_container, failure_name(info.name))]
            if clear_record
            else []
        ),
    )
    name = output_name(info.name, "json")
    await service.store.write(
        settings.transcripts_container, name, files["json"], formats.CONTENT_TYPES["json"], info.etag
    )
    return [name, *written]


async def _remove_outputs(service: TranscriptionService, name: str) -> None:
    """An earlier version's transcript must not stand beside this version's final failure.

    The JSON goes first: without it the set is incomplete, and incomplete sets are not outcomes.
    """
    for fmt in ("json", "txt", "srt", "vtt"):
        await service.store.delete(service.settings.transcripts_container, output_name(name, fmt))


def _track(
    service: TranscriptionService,
    info: BlobInfo,
    *,
    transcription: Transcription | None = None,
    error: TranscriberError | None = None,
    latency_ms: float,
) -> None:
    track(
        service,
        trigger="blob",
        subject=info.name,
        content_type=info.content_type,
        size_bytes=info.size,
        options=service.settings.defaults,
        transcription=transcription,
        error=error,
        latency_ms=latency_ms,
    )
