"""Who uploaded a blob through /api/uploads: `grants/<name key>.json` in the failures container.

`{"blob": name}` names a blob for /api/transcribe or /api/transcriptions to read. A caller who
sees everything (a key holder, an Entra ID admin) may name any blob; any other caller only one it
was granted an upload URL for, and any other name answers exactly as a missing blob does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from transcriber.domain import formats
from transcriber.domain.errors import BlobExistsError, BlobNotFoundError, ConditionNotMetError
from transcriber.domain.owners import Caller, grant_name
from transcriber.services import TranscriptionService


async def record_grant(service: TranscriptionService, caller: Caller, blob: str) -> None:
    """The grant for `blob`: its owner, its name, when. A name granted to another caller (whose
    upload may not have landed yet) is BlobExistsError: the first grant keeps it."""
    settings = service.settings
    await service.store.ensure_containers((settings.failures_container,), create=settings.create_containers)
    document = {
        "owner": caller.owner,
        "name": blob,
        "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        await service.store.write(
            settings.failures_container,
            grant_name(blob),
            json.dumps(document, ensure_ascii=False),
            formats.CONTENT_TYPES["json"],
            if_absent=True,
        )
    except ConditionNotMetError:
        granted = await service.store.read_json(settings.failures_container, grant_name(blob))
        if granted is not None and granted.get("owner") != caller.owner:
            raise BlobExistsError(f"{blob} is being uploaded: choose another name") from None


async def check_blob_allowed(
    service: TranscriptionService, caller: Caller, blob: str, operation: str
) -> None:
    """Return when `caller` may name `blob`; if not, the error the store's `operation` raises for a
    missing blob (`transcriber.adapters.blob_client`), word for word."""
    if caller.sees_all:
        return
    grant = await service.store.read_json(service.settings.failures_container, grant_name(blob))
    if grant is None or grant.get("owner") != caller.owner or grant.get("name") != blob:
        raise BlobNotFoundError(f"blob not found ({operation})")
