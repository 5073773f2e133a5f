"""`/_emulator/*`: health, faults and journal over HTTP, for an emulator started from the CLI.

Not part of the Speech API and unauthenticated: the emulator listens on loopback. Faults are
armed with JSON, e.g. `{"kind": "status", "status": 429, "count": 2, "retryAfter": 1}`,
`{"kind": "delay", "seconds": 2}` or `{"kind": "drop"}`, optionally aimed with
`"on": ["submit", "status"]` (operations: transcribe, submit, status, files, delete, content).
Batch jobs are scripted with `{"kind": "batch", "runningPolls": 3, "runningSeconds": 0,
"notStartedPolls": 0, "failCode": "InvalidData", "failMessage": "...", "count": 1}`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.speech_emulator.batch.jobs import JobScript
from devtools.speech_emulator.faults import Fault
from devtools.speech_emulator.quota import QUOTA_SCOPES, QuotaLimit
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
        _state(request).batch.clear_scripts()
    elif request.method == "POST":
        try:
            spec = json.loads(await request.body())
            if spec.get("kind") == "batch":
                _state(request).batch.arm(_script(spec), count=int(spec.get("count", 1)))
            else:
                plan.add(_fault(spec), count=int(spec.get("count", 1)))
        except (ValueError, TypeError, AttributeError) as exc:
            return JSONResponse({"code": "InvalidRequest", "message": f"bad fault: {exc}"}, status_code=400)
    batch = [dataclasses.asdict(s) for s in _state(request).batch.pending_scripts()]
    return JSONResponse({"pending": [dataclasses.asdict(f) for f in plan.pending()], "batch": batch})


async def journal(request: Request) -> Response:
    entries = _state(request).journal
    if request.method == "DELETE":
        entries.clear()
    return JSONResponse({"requests": [dataclasses.asdict(e) for e in entries.entries()]})


async def quota(request: Request) -> Response:
    quotas = _state(request).quotas
    if request.method == "DELETE":
        for scope in QUOTA_SCOPES:
            quotas.set(scope, None)
    elif request.method == "POST":
        try:
            spec = json.loads(await request.body())
            scope = spec.get("scope", "transcribe")
            if scope not in QUOTA_SCOPES:
                raise ValueError(f"scope must be one of {', '.join(QUOTA_SCOPES)}")
            rpm, burst = spec.get("rpm"), spec.get("burst")
            quotas.set(scope, None if rpm is None else QuotaLimit.of(int(rpm), _optional_int(burst)))
        except (ValueError, TypeError, AttributeError) as exc:
            return JSONResponse({"code": "InvalidRequest", "message": f"bad quota: {exc}"}, status_code=400)
    shown: dict[str, Any] = {}
    for scope in QUOTA_SCOPES:
        limit = quotas.limit(scope)
        shown[scope] = (
            None
            if limit is None
            else {"rpm": limit.rpm, "burst": limit.burst, "available": quotas.available(scope)}
        )
    return JSONResponse(shown)


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("burst must be a whole number")
    return int(value)


def _fault(spec: dict[str, Any]) -> Fault:
    kind = spec.get("kind")
    on = spec.get("on", [])
    if not isinstance(on, list) or not all(isinstance(item, str) for item in on):
        raise ValueError("on must be a list of operation names")
    if kind == "status":
        status = int(spec["status"])
        if not 400 <= status <= 599:
            raise ValueError("status must be 4xx or 5xx")
        retry_after = spec.get("retryAfter", 1 if status == 429 else None)
        return Fault(
            "status",
            status=status,
            retry_after_seconds=None if retry_after is None else float(retry_after),
            operations=tuple(on),
        )
    if kind == "delay":
        return Fault("delay", delay_seconds=float(spec["seconds"]), operations=tuple(on))
    if kind == "drop":
        return Fault("drop", operations=tuple(on))
    raise ValueError("kind must be status, delay, drop or batch")


def _script(spec: dict[str, Any]) -> JobScript:
    fail_code = spec.get("failCode")
    fail_message = spec.get("failMessage")
    if fail_code is not None and not isinstance(fail_code, str):
        raise ValueError("failCode must be a string")
    return JobScript(
        not_started_polls=int(spec.get("notStartedPolls", 0)),
        running_polls=int(spec.get("runningPolls", 0)),
        running_seconds=float(spec.get("runningSeconds", 0)),
        fail_code=fail_code,
        fail_message=str(fail_message) if fail_message is not None else None,
    )


def control_routes() -> list[Route]:
    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/journal", journal, methods=["GET", "DELETE"]),
        Route("/_emulator/quota", quota, methods=["GET", "POST", "DELETE"]),
    ]
