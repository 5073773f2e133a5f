"""POST /api/uploads: an upload URL for one new blob under `uploads/` in the audio container.

HTTP bodies stop at the Functions front end's 100 MB; a client that PUTs straight to storage is
bound only by the storage limits and the Speech service's (which fetches big files by SAS URL).
The URL is a user-delegation SAS (no account key in Azure) for that one blob, create and write
only, https only, valid for UPLOAD_SAS_LIFETIME_MINUTES (at most 60). The blob trigger does the
rest, so the upload ends, like any other, with one transcript set or one failure record.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from transcriber.blob_names import InvalidBlobNameError, check_blob_name
from transcriber.caller_auth import check_caller
from transcriber.errors import BlobNotFoundError, ConflictError, InvalidRequestError, TranscriberError
from transcriber.http_api import HttpReply, error_reply
from transcriber.service import get_service

logger = logging.getLogger(__name__)
UPLOADS_PREFIX = "uploads/"
MAX_BODY_BYTES = 8 * 1024


class BlobExistsError(ConflictError):
    """The upload would replace a blob that is already there."""

    code = "BlobExists"


def upload_name(body: bytes) -> str:
    """`uploads/<name>` from `{"name": ...}`, every form of it checked like any blob name."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidRequestError(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        document = json.loads(body or b"null")
    except ValueError:
        raise InvalidRequestError('the body must be JSON: {"name": "<file name>"}') from None
    if not isinstance(document, dict) or set(document) - {"name"}:
        raise InvalidRequestError('the body must be {"name": "<file name>"} and nothing else')
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequestError("'name' must be a non-empty string")
    try:
        return check_blob_name(UPLOADS_PREFIX + check_blob_name(name.strip()))
    except InvalidBlobNameError as exc:
        raise InvalidBlobNameError(f"'name': {exc.message}") from None


async def create_upload(headers: Mapping[str, str], body: bytes) -> HttpReply:
    """201 with the upload URL, or the error naming what is wrong with the request."""
    try:
        service = get_service()
        settings = service.settings
        check_caller(headers, settings.caller_auth, os.environ)  # the same callers as /api/transcribe
        name = upload_name(body)
        try:
            await service.store.properties(settings.audio_container, name)
            raise BlobExistsError(f"{name} already exists: choose another name")
        except BlobNotFoundError:
            pass
        lifetime = timedelta(minutes=settings.upload_sas_lifetime_minutes)
        url = await service.store.upload_sas_url(settings.audio_container, name, lifetime)
    except TranscriberError as exc:
        return error_reply(exc)
    expires = (datetime.now(UTC) + lifetime).isoformat(timespec="seconds").replace("+00:00", "Z")
    reply = {
        "blob": name,
        "container": settings.audio_container,
        "uploadUrl": url,
        "method": "PUT",
        # If-None-Match: the PUT fails (409) rather than replace a blob someone made meanwhile
        "headers": {"x-ms-blob-type": "BlockBlob", "If-None-Match": "*"},
        "expiresAt": expires,
    }
    return HttpReply(201, json.dumps(reply), headers={"Cache-Control": "no-store"})
