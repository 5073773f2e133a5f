"""The API's routes and the methods each takes, for the requests no route's function took.

The Functions host treats a route's methods as a constraint: a request whose method a route does
not list skips that route (devtools/functions_host/routing.py follows the host). So `GET
/api/transcribe` and `DELETE /api/nowhere` both fall to the anonymous `api/{*path}` catch-all in
function_app.py, which answers through `unrouted`: 405 with `Allow` when the path is a route's,
else a JSON 404, both errors like any other (`edge.error_reply`). `API_ROUTES` mirrors what
function_app.py declares; tests/app/test_bindings.py holds the two equal.
"""

from __future__ import annotations

from transcriber.domain.errors import MethodNotAllowedError, RouteNotFoundError
from transcriber.entry.http.edge import HttpReply, error_reply

API_ROUTES: dict[str, tuple[str, ...]] = {
    "api/transcribe": ("POST",),
    "api/transcriptions": ("GET", "POST"),
    "api/transcriptions/{id}": ("GET",),
    "api/transcriptions/{id}/audio": ("GET",),
    "api/transcriptions/{id}/speakers": ("PUT",),
    "api/uploads": ("POST",),
    "api/health": ("GET",),
    "api/health/deep": ("GET",),
}


def unrouted(method: str, path: str) -> HttpReply:
    """The answer to `method` on `api/<path>`, which no function took: 405 or 404, in JSON."""
    segments = ["api", *path.strip("/").split("/")] if path.strip("/") else ["api"]
    allowed = sorted({m for route, methods in API_ROUTES.items() if _fits(route, segments) for m in methods})
    shown = "/" + "/".join(segments)
    if allowed:
        return error_reply(
            MethodNotAllowedError(
                f"{method.upper()} is not a method of {shown}: it takes {', '.join(allowed)}",
                allowed=tuple(allowed),
            )
        )
    return error_reply(RouteNotFoundError(f"no API route {shown} (docs/API.md lists them)"))


def _fits(route: str, segments: list[str]) -> bool:
    """The route's template matches the path: literals case-insensitively, `{x}` any one segment."""
    template = route.split("/")
    return len(template) == len(segments) and all(
        (part.startswith("{") and bool(segment)) or part.lower() == segment.lower()
        for part, segment in zip(template, segments, strict=True)
    )
