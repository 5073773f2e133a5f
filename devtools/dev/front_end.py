"""http://127.0.0.1:7071: each request goes to the host's HTTP invocation, and back unchanged."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devtools.dev import console
from devtools.dev.host import DevHost

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection"}


def build_front_end(host: DevHost) -> Starlette:
    async def forward(request: Request) -> Response:
        started = time.perf_counter()
        body = await request.body()
        reply = await host.http(request.method, str(request.url), body, dict(request.headers))
        if reply.function is not None:
            outcome = f"{reply.status}" + (" failed" if reply.error else "")
            console.invocation(reply.function, outcome, started, f"{request.method} {request.url.path}")
            if reply.error:
                console.say(f"         {reply.error}")
        headers = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP_BY_HOP}
        return Response(reply.body, status_code=reply.status, headers=headers)

    return Starlette(routes=[Route("/{path:path}", forward, methods=METHODS)])
