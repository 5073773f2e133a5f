"""Failure records: why a blob version has no transcript, in the failures container (their JSON:
`transcriber.domain.failure_record`)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from transcriber.domain import formats
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import TranscriberError
from transcriber.domain.failure_record import BlobName, FailureRecord, RecordedError
from transcriber.domain.names import failure_name
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def read_failure(service: TranscriptionService, name: str) -> FailureRecord | None:
    """The failure record of source blob `name` (any version), or None."""
    document = await service.store.read_json(service.settings.failures_container, failure_name(name))
    return FailureRecord.from_json(document) if document is not None else None


async def read_failure_and_etag(service: TranscriptionService, name: str) -> tuple[FailureRecord, str] | None:
    """The failure record of `name` with its blob's etag (to delete exactly that record)."""
    found = await service.store.read_record(service.settings.failures_container, failure_name(name))
    return (FailureRecord.from_json(found[0]), found[1]) if found is not None else None


async def write_failure(
    service: TranscriptionService,
    source: BlobInfo | BlobName,
    record_name: str,
    error: TranscriberError,
    attempts: int,
    final: bool,
) -> None:
    """A readable record of why. Failing to write it raises the storage error (the original is
    logged): without its record the version has no outcome, so the invocation must be retried."""
    record = FailureRecord(
        error=RecordedError.of(error),
        transient=error.transient,
        attempts=attempts,
        final=final,
        source=source,
        failed_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    )
    try:
        await service.store.write(
            service.settings.failures_container,
            record_name,
            json.dumps(record.to_json(), ensure_ascii=False, indent=2),
            formats.CONTENT_TYPES["json"],
        )
    except TranscriberError as exc:
        logger.error("could not write a failure record (%s): %s", error.code, exc.message)
        raise
