"""Completion messages, one per finished blob version and per finished job, when COMPLETION_QUEUE is set.

Best effort: a queue that refuses is logged, and the outcome stands.
"""

from __future__ import annotations

import logging
from typing import Any

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import TranscriberError
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


async def notify(service: TranscriptionService, message: dict[str, Any]) -> None:
    if service.completions is None:
        return
    try:
        await service.completions.send_json(message)
    except TranscriberError as exc:
        logger.error("completion message not sent (%s): %s", exc.code, exc.message)


async def notify_blob(
    service: TranscriptionService,
    info: BlobInfo,
    status: str,
    *,
    outputs: list[str] | None = None,
    error: TranscriberError | None = None,
) -> None:
    """A blob version's outcome is written (`succeeded` with its outputs, or `failed` for good)."""
    message: dict[str, Any] = {"kind": "blob", "blob": info.name, "etag": info.etag, "status": status}
    if outputs is not None:
        message["outputs"] = outputs
    if error is not None:
        message["error"] = {"code": error.code, "message": error.message}
    await notify(service, message)
