"""`/_emulator/*`: health, faults and journal over HTTP, for an emulator started from the CLI.

Not part of the Speech API and unauthenticated: the emulator listens on loopback. Faults are
armed with JSON, e.g. `{"kind": "status", "status": 429, "count": 2, "retryAfter": 1}`,
`{"kind": "delay", "seconds": 2}` or `{"kind": "drop"}`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.speech_emulator.faults import Fault
from devtools.speech_emulator.state import EmulatorState

__all__ = ["control_routes"]


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


async def health(request: Request) -> Response:
    config = _state(request).config
    return JSONResponse(
        {"status": "ok", "engine": config.engine, "https": config.https, "refuseKeys": config.refuse_keys}
    )


async def faults(request: Request) -> Response:
    plan = _state(request).faults
    if request.method == "DELETE":
        plan.clear()
    elif request.method == "POST":
        try:
            spec = json.loads(await request.body())
            fault = _fault(spec)
            plan.add(fault, count=int(spec.get("count", 1)))
        except (ValueError, TypeError, AttributeError) as exc:
            return JSONResponse({"code": "InvalidRequest", "message": f"bad fault: {exc}"}, status_code=400)
    return JSONResponse({"pending": [dataclasses.asdict(f) for f in plan.pending()]})


async def journal(request: Request) -> Response:
    entries = _state(request).journal
    if request.method == "DELETE":
        entries.clear()
    return JSONResponse({"requests": [dataclasses.asdict(e) for e in entries.entries()]})


def _fault(spec: dict[str, Any]) -> Fault:
    kind = spec.get("kind")
    if kind == "status":
        status = int(spec["status"])
        if not 400 <= status <= 599:
            raise ValueError("status must be 4xx or 5xx")
        retry_after = spec.get("retryAfter", 1 if status == 429 else None)
        return Fault(
            "status", status=status, retry_after_seconds=None if retry_after is None else float(retry_after)
        )
    if kind == "delay":
        return Fault("delay", delay_seconds=float(spec["seconds"]))
    if kind == "drop":
        return Fault("drop")
    raise ValueError("kind must be status, delay or drop")


def control_routes() -> list[Route]:
    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/journal", journal, methods=["GET", "DELETE"]),
    ]
