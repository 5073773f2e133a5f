"""Result files by URL: SAS-like links the emulator signs and serves without an auth header.

The real `links.contentUrl` is a read SAS into Microsoft's storage (`...blob.core.windows.net/
...?st=...&se=...&sp=rl&sv=...&sr=b&sig=...`, examples in azure-rest-api-specs), valid 12 hours
unless `sasLifetimeMinutes` says otherwise (the spec's parameter text), so clients fetch it with
no credential. The emulator's link carries an expiry (`se`) and an HMAC signature (`sig`) over
the path and expiry: a changed, unsigned or expired link answers 403 `AuthenticationFailed`
and a deleted job's file 404 `BlobNotFound`, in Azure Storage's XML error shape.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["CONTENT_PREFIX", "DEFAULT_SAS_MINUTES", "content_url", "serve_content"]

CONTENT_PREFIX = "/_results"
DEFAULT_SAS_MINUTES = 12 * 60


def _signature(secret: bytes, path: str, expiry: str) -> str:
    digest = hmac.new(secret, f"{path}\n{expiry}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def content_url(base: str, secret: bytes, job_id: str, file_id: str, name: str, minutes: int) -> str:
    path = f"{CONTENT_PREFIX}/{job_id}/{file_id}/{name}"
    expiry = datetime.fromtimestamp(time.time() + minutes * 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = _signature(secret, path, expiry)
    return f"{base}{path}?se={quote(expiry, safe='')}&sp=r&sr=b&sig={quote(sig, safe='')}"


def _storage_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=status, media_type="application/xml", headers={"x-ms-error-code": code})


def serve_content(request: Request, secret: bytes, lookup: object) -> Response:
    """Check the link's signature and expiry, then answer the file's bytes."""
    path = request.url.path
    expiry, sig = request.query_params.get("se", ""), request.query_params.get("sig", "")
    expected = _signature(secret, path, expiry)
    if not sig or not hmac.compare_digest(sig.encode(), expected.encode()):
        return _storage_error(403, "AuthenticationFailed", "Signature did not match.")
    try:
        expires = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time is not valid.")
    if expires <= time.time():
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time has passed.")
    content = lookup(request.path_params["job_id"], request.path_params["file_id"])  # type: ignore[operator]
    if content is None:
        return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    return Response(content, media_type="application/json", headers={"x-ms-blob-type": "BlockBlob"})
