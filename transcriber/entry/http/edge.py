"""The HTTP plumbing, once: the service, the caller check, telemetry's scope, error to status,
and the refusal of keys in URLs (`key_in_query`, which every HTTP function asks first).

Every handler runs through `serve`; `error_reply` is the one place where errors become HTTP
statuses. Every error body is `{"error": {"code", "message"}}` (a job's result asked for too early
adds the job's status and, for a failed job, its error), with no secret and no stack trace.
Every answer `serve` gives carries `PRIVATE_HEADERS`: transcripts, job records, audio and upload
URLs stay out of every cache, and no browser reads them as another type than the one sent.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlsplit

from transcriber.domain.errors import (
    AudioRejectedError,
    AudioTooLargeError,
    AuthenticationError,
    BlobNotFoundError,
    BudgetExceededError,
    CallerForbiddenError,
    CallerUnauthorizedError,
    ConflictError,
    InvalidRequestError,
    JobNotSucceededError,
    MethodNotAllowedError,
    RangeNotSatisfiableError,
    RouteNotFoundError,
    ServiceError,
    ServiceThrottledError,
    SettingError,
    TranscriberError,
    UnsupportedMediaError,
)
from transcriber.domain.invocation import Invocation
from transcriber.domain.owners import Caller
from transcriber.entry.http.callers import check_caller
from transcriber.services import TranscriptionService, get_service

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[TranscriberError], int]] = [
    (SettingError, 500),
    (InvalidRequestError, 400),
    (CallerUnauthorizedError, 401),
    (CallerForbiddenError, 403),
    (BlobNotFoundError, 404),
    (RouteNotFoundError, 404),
    (MethodNotAllowedError, 405),
    (ConflictError, 409),
    (AudioTooLargeError, 413),
    (UnsupportedMediaError, 415),
    (AudioRejectedError, 422),
    (RangeNotSatisfiableError, 416),
    (ServiceThrottledError, 429),
    (BudgetExceededError, 429),
    (AuthenticationError, 502),
    (ServiceError, 502),
]
# On every answer of `serve`, success or error; a route's own value for a header wins.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class HttpReply:
    """What the function returns, independent of azure.functions."""

    status: int
    body: str | bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(error: TranscriberError) -> HttpReply:
    """The one mapping from error to status."""
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 500)
    headers: dict[str, str] = {}
    if isinstance(error, ServiceThrottledError):
        status = error.status if error.status in (429, 503) else 429
        headers["Retry-After"] = str(error.retry_after if error.retry_after is not None else 10)
    if isinstance(error, RangeNotSatisfiableError):
        headers["Content-Range"] = f"bytes */{error.size}"
    if isinstance(error, MethodNotAllowedError):
        headers["Allow"] = ", ".join(error.allowed)
    detail: dict[str, object] = {"code": error.code, "message": error.message}
    if isinstance(error, BudgetExceededError):  # when the caller's day starts again
        headers["Retry-After"] = str(error.retry_after)
        detail["resetAt"] = error.reset_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(error, JobNotSucceededError):  # what the job is, and why a failed one failed
        if error.job_status is not None:
            detail["jobStatus"] = error.job_status
        if error.cause is not None:
            detail["innerError"] = {"code": error.cause[0], "message": error.cause[1]}
    return HttpReply(status, json.dumps({"error": detail}), "application/json", headers)


KEY_HEADER = "x-functions-key"


def key_in_query(url: str) -> HttpReply | None:
    """A 400 for a function key sent as `?code=` (URLs land in logs and histories): keys go only
    in the x-functions-key header. Every HTTP function asks this first; None: the URL is fine."""
    if not any(name.lower() == "code" for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)):
        return None
    message = f"send the function key in the {KEY_HEADER} header, never in the URL (?code= is refused)"
    return HttpReply(
        400, json.dumps({"error": {"code": "KeyInQuery", "message": message, "header": KEY_HEADER}})
    )


Handler = Callable[[TranscriptionService, Caller], Awaitable[HttpReply]]


async def serve(
    headers: Mapping[str, str], handle: Handler, *, invocation: Invocation | None = None
) -> HttpReply:
    """Run `handle` with the process's service for a caller who may call (`callers`), and who it is
    (`transcriber.domain.owners`: what it may see), inside the
    invocation's telemetry scope when one is given; any TranscriberError becomes its reply, and
    every reply carries `PRIVATE_HEADERS`."""
    reply = await _answer(headers, handle, invocation)
    return replace(reply, headers={**PRIVATE_HEADERS, **reply.headers})


async def _answer(headers: Mapping[str, str], handle: Handler, invocation: Invocation | None) -> HttpReply:
    try:
        service = get_service()
    except SettingError as exc:
        logger.error("configuration error: %s", exc.message)
        return error_reply(exc)
    scope: AbstractAsyncContextManager[object] = (
        nullcontext() if invocation is None else service.scope(invocation)
    )
    async with scope:
        try:
            caller = check_caller(headers, service.settings.caller_auth, os.environ)
            return await handle(service, caller)
        except TranscriberError as exc:
            return error_reply(exc)
