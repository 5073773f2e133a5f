"""Deep health: can this app, with its own credentials, reach Azure AI Speech, its containers and
(with the audio budget on) the budget's table now?

Bounded probes without retries, cached briefly; no audio is sent, and no secret reported.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from transcriber.domain.errors import AuthenticationError, BlobNotFoundError, TranscriberError
from transcriber.services import TranscriptionService

PROBE_TIMEOUT_SECONDS = 4.0
CACHE_SECONDS = 30.0
OK, UNAUTHORIZED, UNREACHABLE, MISSING, FAILING = "ok", "unauthorized", "unreachable", "missing", "failing"


@dataclass(frozen=True)
class CheckResult:
    """One dependency's state: `status` is one of the module's constants."""

    status: str
    latency_ms: float
    message: str | None = None

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"status": self.status, "latencyMilliseconds": round(self.latency_ms)}
        if self.message:
            record["message"] = self.message
        return record


_cache: dict[Any, tuple[float, dict[str, Any]]] = {}


async def deep_health(service: TranscriptionService) -> tuple[bool, dict[str, Any]]:
    """(healthy, report), from the cache when a report for these settings is fresh."""
    key = service.settings
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]["status"] == OK, {**cached[1], "cached": True}
    settings = service.settings
    containers = settings.containers
    probes = [_timed(_speech(service)), *(_timed(_container(service, name)) for name in containers)]
    if service.budget is not None:  # the audio budget's table: every Speech call is charged there first
        probes.append(_timed(_budget(service)))
    speech, *stores = await asyncio.gather(*probes)
    budget = stores.pop() if service.budget is not None else None
    checked = [speech, *stores, *([budget] if budget is not None else [])]
    report: dict[str, Any] = {
        "status": OK if all(r.status == OK for r in checked) else "unhealthy",
        "checkedAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "cached": False,
        "speech": {
            "endpointHost": settings.speech.host,
            "authentication": "key" if settings.speech.api_key else "token",
            **speech.as_record(),
        },
        "storage": {
            "account": settings.storage.describe(),
            "containers": {name: result.as_record() for name, result in zip(containers, stores, strict=True)},
        },
    }
    if budget is not None:
        report["storage"]["budgetTable"] = {"name": settings.budget.table, **budget.as_record()}
    _cache.clear()
    _cache[key] = (time.monotonic(), report)
    return report["status"] == OK, report


async def _speech(service: TranscriptionService) -> str | None:
    return await service.speech.check_access(PROBE_TIMEOUT_SECONDS)


async def _container(service: TranscriptionService, name: str) -> str | None:
    await service.store.check_container(name, PROBE_TIMEOUT_SECONDS)
    return None


async def _budget(service: TranscriptionService) -> str | None:
    assert service.budget is not None
    await service.budget.check()
    return None


async def _timed(probe: Any) -> CheckResult:
    clock = time.perf_counter()

    def result(status: str, message: str | None = None) -> CheckResult:
        return CheckResult(status, (time.perf_counter() - clock) * 1000, message)

    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS + 1):
            note = await probe
    except TimeoutError:
        return result(UNREACHABLE, f"no answer within {PROBE_TIMEOUT_SECONDS + 1:.0f} s")
    except AuthenticationError as exc:
        return result(UNAUTHORIZED, exc.message)
    except BlobNotFoundError:
        return result(MISSING, "the container does not exist")
    except TranscriberError as exc:
        if exc.code == "TableNotFound":
            return result(MISSING, exc.message)
        status = UNREACHABLE if exc.code in ("ServiceUnreachable", "StorageError", "Timeout") else FAILING
        return result(status, exc.message)
    return result(OK, note)
