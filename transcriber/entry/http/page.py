"""GET / and the page's assets: the static files of `transcriber/web/`, served by the app itself.

Anonymous: the page holds no data, it asks the API (with the caller's key or sign-in) for it.
Only files directly in `transcriber/web/` with a known type are served, by exact name; `/` is
`index.html`; `config.json` is how this deployment takes uploads; anything else is a JSON 404
like the API's. Every answer carries the page's security headers: a Content-Security-Policy that
allows this origin only (and the audio account's blob endpoint for uploads straight to storage),
no inline script or style, no frames, `nosniff`, no referrer.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from transcriber.config import Settings
from transcriber.domain.errors import SettingError
from transcriber.entry.http.edge import HttpReply
from transcriber.services import get_service

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}
ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.(?:html|js|css|svg)")
CONFIG_NAME = "config.json"
# Microsoft's HTTP trigger limits: the front end refuses a request over 100 MB (104,857,600 bytes).
FRONT_END_MAX_REQUEST_BYTES = 104_857_600
# A multipart body carries its part's headers and boundaries beside the file.
MULTIPART_ALLOWANCE_BYTES = 64 * 1024
# Past this size the page PUTs a file straight to storage: no copy through the app's memory.
DIRECT_FROM_BYTES = 16 * 1024 * 1024


def content_security_policy(upload_origin: str | None) -> str:
    """This origin only; `upload_origin` (the audio account's blob endpoint) for direct uploads.

    `blob:` for media: in key mode the page fetches the audio with its key header and plays a Blob
    (an <audio src> cannot send a header, and a key in a URL would end up in logs)."""
    connect = "'self'" if upload_origin is None else f"'self' {upload_origin}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"media-src 'self' blob:; connect-src {connect}; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def security_headers(upload_origin: str | None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(upload_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",  # revalidate: a deployment's new page is seen at once
    }


def upload_origin(settings: Settings | None) -> str | None:
    """The blob endpoint's origin the page PUTs large files to, when this deployment lets it."""
    if settings is None or not settings.page_direct_uploads:
        return None
    parts = urlsplit(settings.storage.blob_url)
    return f"{parts.scheme}://{parts.netloc}"


def page_config(settings: Settings | None) -> dict[str, object]:
    """How the page sends files: straight to storage past the app's limit, or only through the app
    (`PAGE_DIRECT_UPLOADS=false`, as infra sets it where a firewall keeps storage private)."""
    if settings is None:  # the API names the bad setting on the page's first call
        return {"auth": "function", "directUploads": False, "directFromBytes": 0, "appLimitBytes": 0}
    limit = min(settings.max_audio_bytes, FRONT_END_MAX_REQUEST_BYTES - MULTIPART_ALLOWANCE_BYTES)
    return {
        "auth": settings.caller_auth.mode,
        "directUploads": settings.page_direct_uploads,
        "directFromBytes": DIRECT_FROM_BYTES,
        "appLimitBytes": limit,
    }


async def serve_page(path: str) -> HttpReply:
    """The asset named by the request's path (`""` is the page itself), else a JSON 404."""
    try:
        settings: Settings | None = get_service().settings
    except SettingError:
        settings = None
    headers = security_headers(upload_origin(settings))
    name = path.strip("/") or "index.html"
    if name == CONFIG_NAME:
        return HttpReply(200, json.dumps(page_config(settings)), headers=headers)
    if ASSET_NAME.fullmatch(name):
        found = _asset(name)
        if found is not None:
            return HttpReply(200, found, CONTENT_TYPES[Path(name).suffix], headers)
    body = {"error": {"code": "NotFound", "message": "no such page or API route"}}
    return HttpReply(404, json.dumps(body), headers=headers)


@cache
def _asset(name: str) -> str | None:
    file = WEB_DIR / name
    return file.read_text(encoding="utf-8") if file.is_file() else None
