"""Answers other than a transcript: the service's error JSON and a connection dropped on purpose."""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from devtools.speech_emulator.errors import ServiceError

logger = logging.getLogger(__name__)

__all__ = ["DropConnection", "error_response", "service_headers"]

JSON_UTF8 = "application/json; charset=utf-8"


def service_headers(request_id: str, region: str) -> dict[str, str]:
    """Headers every recorded answer of the service carries, errors included."""
    return {
        "apim-request-id": request_id,
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "x-ms-region": region,
    }


def error_response(error: ServiceError, request_id: str, region: str) -> JSONResponse:
    """The flat error body (`code`, `message`, `innerError`) with the service's headers."""
    headers = {**service_headers(request_id, region), **error.headers}
    return JSONResponse(error.body(), status_code=error.status, headers=headers, media_type=JSON_UTF8)


class DropConnection(Response):
    """Close the client's connection without sending a byte of response.

    ASGI cannot express this, so `app.EmulatorASGI` puts uvicorn's transport in the scope;
    after closing it we wait for uvicorn to notice the disconnect, so it does not answer 500.
    """

    def __init__(self) -> None:
        super().__init__(status_code=599)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = scope.get("emulator", {}).get("transport")
        if transport is None:
            raise RuntimeError("dropping a connection needs uvicorn's transport (run under uvicorn)")
        transport.close()
        try:
            async with asyncio.timeout(5):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            logger.warning("the dropped connection did not report its disconnect")
