"""POST /api/uploads: `{"name": ...}` in, an upload URL out (`transcriber.flows.uploads`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.owners import Caller
from transcriber.entry.http.edge import HttpReply, serve
from transcriber.flows.uploads import grant_upload
from transcriber.services import TranscriptionService

MAX_BODY_BYTES = 8 * 1024


def requested_name(body: bytes) -> str:
    """The file name from `{"name": "<file name>"}`, and nothing else in the body."""
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
    return name


async def create_upload(headers: Mapping[str, str], body: bytes) -> HttpReply:
    """201 with the upload URL, or the error naming what is wrong with the request."""

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        grant = await grant_upload(service, caller, requested_name(body))
        reply = {
            "blob": grant.blob,
            "container": grant.container,
            "uploadUrl": grant.url,
            "method": "PUT",
            # If-None-Match: the PUT fails (409) rather than replace a blob someone made meanwhile
            "headers": {"x-ms-blob-type": "BlockBlob", "If-None-Match": "*"},
            "expiresAt": grant.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
        return HttpReply(201, json.dumps(reply), headers={"Cache-Control": "no-store"})

    return await serve(headers, handle)
