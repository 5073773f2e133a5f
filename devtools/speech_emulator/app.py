"""The emulator's ASGI application: Starlette routes wrapped for access logging and drops.

`EmulatorASGI` sits outside Starlette so it sees uvicorn's own `send` (whose transport lets
a fault drop the connection) and the final status of every request, for one log line each.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devtools.speech_emulator.batch.routes import batch_routes
from devtools.speech_emulator.control import control_routes
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.responses import error_response
from devtools.speech_emulator.state import EmulatorState
from devtools.speech_emulator.transcribe import transcribe

logger = logging.getLogger(__name__)

__all__ = ["TRANSCRIBE_PATH", "EmulatorASGI", "build_app"]

TRANSCRIBE_PATH = "/speechtotext/transcriptions:transcribe"


class EmulatorASGI:
    """Log one line per request (never headers or query) and expose the transport for drops."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        owner = getattr(send, "__self__", None)
        info = scope.setdefault("emulator", {})
        info["transport"] = getattr(owner, "transport", None)
        status: list[int] = []

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            seconds = info.get("audio_seconds")
            logger.info(
                "%s %s %s audio=%s took=%.3fs",
                scope["method"],
                scope["path"],
                status[0] if status else "dropped",
                f"{seconds:.2f}s" if seconds is not None else "-",
                time.perf_counter() - started,
            )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "InvalidRequest")
    message = "Resource not found" if exc.status_code == 404 else str(exc.detail)
    state: EmulatorState = request.app.state.emulator
    return error_response(
        ServiceError(exc.status_code, code, message), str(uuid.uuid4()), state.config.region
    )


def build_app(state: EmulatorState) -> EmulatorASGI:
    """The ASGI app serving the Speech routes (fast and batch) and the `/_emulator` control routes."""
    routes = [Route(TRANSCRIBE_PATH, transcribe, methods=["POST"]), *batch_routes(), *control_routes()]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.emulator = state
    return EmulatorASGI(app)
