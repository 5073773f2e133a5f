"""GET / and the page's assets: the static files of `transcriber/web/`, served by the app itself.

Anonymous: the page holds no data, it asks the API (with the caller's key or sign-in) for it.
Only files directly in `transcriber/web/` with a known type are served, by exact name; `/` is
`index.html`; anything else is a JSON 404 like the API's. Every answer carries the page's
security headers: a Content-Security-Policy that allows this origin only (no inline script or
style, no frames), `nosniff`, no referrer.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from transcriber.entry.http.edge import HttpReply

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}
ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.(?:html|js|css|svg)")
# `blob:` for media: in key mode the page fetches the audio with its key header and plays a Blob
# (an <audio src> cannot send a header, and a key in a URL would end up in logs).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",  # revalidate: a deployment's new page is seen at once
}


def serve_page(path: str) -> HttpReply:
    """The asset named by the request's path (`""` is the page itself), else a JSON 404."""
    name = path.strip("/") or "index.html"
    if ASSET_NAME.fullmatch(name):
        found = _asset(name)
        if found is not None:
            return HttpReply(200, found, CONTENT_TYPES[Path(name).suffix], dict(SECURITY_HEADERS))
    body = {"error": {"code": "NotFound", "message": "no such page or API route"}}
    return HttpReply(404, json.dumps(body), headers=dict(SECURITY_HEADERS))


@cache
def _asset(name: str) -> str | None:
    file = WEB_DIR / name
    return file.read_text(encoding="utf-8") if file.is_file() else None
