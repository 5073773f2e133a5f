"""Failure records: why a blob version has no transcript, in the failures container."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from transcriber.domain import formats
from transcriber.domain.errors import TranscriberError
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def write_failure(
    service: TranscriptionService,
    source: dict[str, Any],
    record_name: str,
    error: TranscriberError,
    attempts: int,
    final: bool,
) -> None:
    """A readable record of why. Failing to write it raises the storage error (the original is
    logged): without its record the version has no outcome, so the invocation must be retried."""
    record = {
        "error": {"code": error.code, "message": error.message},
        "transient": error.transient,
        "attempts": attempts,
        "final": final,
        "source": source,
        "failedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    try:
        await service.store.write(
            service.settings.failures_container,
            record_name,
            json.dumps(record, ensure_ascii=False, indent=2),
            formats.CONTENT_TYPES["json"],
        )
    except TranscriberError as exc:
        logger.error("could not write a failure record (%s): %s", error.code, exc.message)
        raise
