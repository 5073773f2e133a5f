"""An upload URL for one new blob under `uploads/` in the audio container (POST /api/uploads).

HTTP bodies stop at the front end's 100 MB; a PUT straight to storage does not. The app makes the
name (`uploads/<random>/<the caller's name>`), so no two grants ever name one blob.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from transcriber.domain.errors import InvalidBlobNameError
from transcriber.domain.names import UPLOADS_PREFIX, check_blob_name
from transcriber.domain.owners import Caller
from transcriber.flows.grants import record_grant
from transcriber.services import TranscriptionService


@dataclass(frozen=True)
class UploadGrant:
    """Where and until when the caller may create its blob."""

    container: str
    blob: str
    url: str
    expires_at: datetime


def upload_name(name: str, token: str) -> str:
    """`uploads/<token>/<name>`, every form of it checked like any blob name."""
    try:
        return check_blob_name(f"{UPLOADS_PREFIX}{token}/{check_blob_name(name.strip())}")
    except InvalidBlobNameError as exc:
        raise InvalidBlobNameError(f"'name': {exc.message}") from None


async def grant_upload(service: TranscriptionService, caller: Caller, name: str) -> UploadGrant:
    """A create-only SAS for a new `uploads/<random>/<name>`, granted to `caller` (`flows.grants`:
    only it may then name the blob)."""
    settings = service.settings
    blob = upload_name(name, secrets.token_hex(8))
    await record_grant(service, caller, blob)
    lifetime = timedelta(minutes=settings.upload_sas_lifetime_minutes)
    url = await service.store.upload_sas_url(settings.audio_container, blob, lifetime)
    return UploadGrant(settings.audio_container, blob, url, datetime.now(UTC) + lifetime)
