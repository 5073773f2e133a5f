"""Limits Azure's front end enforces before (or regardless of) the worker.

From Microsoft's HTTP trigger reference ("Limits" and "Timeouts"): a request is at most 100 MB
(104,857,600 bytes) and its URL at most 4 KB, or the front end refuses it and the worker never
sees it; an HTTP-triggered function must answer within 230 seconds, after which Azure Load
Balancer answers 502 while the function keeps running. Tests pass smaller values.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_REQUEST_BYTES = 104_857_600
MAX_URL_BYTES = 4096
HTTP_TIMEOUT_SECONDS = 230.0


@dataclass(frozen=True)
class FrontEndLimits:
    """The front end's request size, URL length and response time limits."""

    max_request_bytes: int = MAX_REQUEST_BYTES
    max_url_bytes: int = MAX_URL_BYTES
    http_timeout_seconds: float = HTTP_TIMEOUT_SECONDS
