"""A local Application Insights ingestion endpoint that records what exporters send.

Exporters POST batches of envelopes to `{IngestionEndpoint}/v2.1/track` (older ones to
`/v2/track`) as a JSON array, NDJSON or gzip of either, and expect
`{"itemsReceived": n, "itemsAccepted": n, "errors": []}`. This server accepts all of those
on an OS-assigned loopback port, keeps the envelopes in memory, and can be told to fail
(`fail(500)`) or to stall (`stall(seconds)`) so tests can prove an outage never hurts a
transcription. With `certs` it serves https: the OpenTelemetry exporter only sends Entra ID
bearer tokens over TLS. For each request it records whether a bearer token came and, if the
token is a JWT, its audience; the token itself is never stored or logged.

`python -m devtools.ingestion [--https]` runs one and prints its connection string.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import json
import logging
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devtools.certs import TLSCertificates, create_tls_certificates
from devtools.local_services import UvicornThread, listening_socket

logger = logging.getLogger(__name__)

__all__ = ["INSTRUMENTATION_KEY", "IngestionRequest", "IngestionServer", "parse_items"]

INSTRUMENTATION_KEY = "00000000-0000-0000-0000-000000000000"
TRACK_PATHS = ("/v2.1/track", "/v2/track")
Envelope = dict[str, Any]
# One request per connection: no idle keep-alive (TLS) connections are left to tear down
# when a test stops the server, which asyncio would report as unclosed transports.
_CLOSE = {"Connection": "close"}


@dataclass(frozen=True)
class IngestionRequest:
    """One POST as received: never the token, only its scheme and audience."""

    path: str
    item_count: int
    status: int
    content_encoding: str | None
    auth_scheme: str | None
    token_audience: str | None
    time: float


def parse_items(body: bytes, content_encoding: str | None = None) -> list[Envelope]:
    """Envelopes from a JSON array, a single object or NDJSON, gzip-compressed or not."""
    if (content_encoding or "").lower() == "gzip" or body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    text = body.decode("utf-8").strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return data if isinstance(data, list) else [data]


def _audience(token: str) -> str | None:
    """The `aud` claim of a JWT, unverified; None for opaque tokens."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        audience = claims.get("aud")
        return audience if isinstance(audience, str) else None
    except (IndexError, ValueError, AttributeError):
        return None


class IngestionServer:
    """In-process ingestion endpoint; `start()`/`stop()` or use as a context manager."""

    def __init__(self, *, host: str = "127.0.0.1", certs: TLSCertificates | None = None) -> None:
        self.host = host
        self.certs = certs
        self._lock = threading.Condition()
        self._envelopes: list[Envelope] = []
        self._requests: list[IngestionRequest] = []
        self._fail_status: int | None = None
        self._stall_seconds = 0.0
        self._released = threading.Event()
        app = Starlette(routes=[Route("/{path:path}", self._track, methods=["POST"])])
        self._config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=1,
            ssl_certfile=str(certs.cert) if certs else None,
            ssl_keyfile=str(certs.key) if certs else None,
        )
        self._server: UvicornThread | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout_s: float = 10.0) -> IngestionServer:
        """Serve on a free port in a daemon thread; `ServiceError` if not serving within `timeout_s`."""
        self._server = UvicornThread(
            uvicorn.Server(self._config), listening_socket(self.host), name="ingestion server"
        )
        self.port = self._server.port
        self._server.start(timeout_s)
        logger.info("ingestion server listening at %s", self.url)
        return self

    def stop(self) -> None:
        """Release stalled requests, stop serving and join the thread; safe to call twice."""
        self._released.set()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> IngestionServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"{'https' if self.certs else 'http'}://{self.host}:{self.port}"

    @property
    def connection_string(self) -> str:
        """What APPLICATIONINSIGHTS_CONNECTION_STRING would hold to send here."""
        return f"InstrumentationKey={INSTRUMENTATION_KEY};IngestionEndpoint={self.url}/"

    # -- behaviour knobs ------------------------------------------------------------------
    def fail(self, status: int = 500) -> None:
        """Answer every batch with `status` (nothing is recorded) until `recover()`."""
        self._fail_status = status

    def stall(self, seconds: float = 30.0) -> None:
        """Hold every request `seconds` (or until `stop()`/`recover()`) before answering."""
        self._released.clear()
        self._stall_seconds = seconds

    def recover(self) -> None:
        """Back to answering 200 at once; releases requests that are stalled now."""
        self._fail_status = None
        self._stall_seconds = 0.0
        self._released.set()

    # -- inspection -----------------------------------------------------------------------
    @property
    def requests(self) -> list[IngestionRequest]:
        with self._lock:
            return list(self._requests)

    def envelopes(self, kind: str | None = None) -> list[Envelope]:
        """Recorded envelopes, oldest first; `kind` filters on data.baseType (e.g. "EventData")."""
        with self._lock:
            items = list(self._envelopes)
        return [item for item in items if kind is None or item.get("data", {}).get("baseType") == kind]

    def items(self, kind: str, name: str | None = None) -> list[Envelope]:
        """Envelopes of `kind` whose baseData.name (events, dependencies) is `name`."""
        found = self.envelopes(kind)
        return [item for item in found if name is None or item["data"]["baseData"].get("name") == name]

    def metrics(self, name: str) -> list[dict[str, Any]]:
        """(properties, data point) pairs of metric `name`, flattened into one dict per point."""
        points = []
        for item in self.envelopes("MetricData"):
            base = item["data"]["baseData"]
            for point in base.get("metrics", []):
                if point.get("name") == name:
                    points.append({**point, "properties": base.get("properties") or {}, "tags": item["tags"]})
        return points

    def wait_for(self, predicate: Callable[[IngestionServer], Any], timeout: float = 5.0) -> Any:
        """Return predicate(self) once truthy; TimeoutError with a summary after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = predicate(self)
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"ingestion: condition not met in {timeout} s; received {self._summary()}"
                    )
                self._lock.wait(min(remaining, 0.1))

    def clear(self) -> None:
        """Forget recorded envelopes and requests."""
        with self._lock:
            self._envelopes.clear()
            self._requests.clear()

    def _summary(self) -> str:
        kinds: dict[str, int] = {}
        for item in self._envelopes:
            base = item.get("data", {})
            label = f"{base.get('baseType')}:{base.get('baseData', {}).get('name', '')}"
            kinds[label] = kinds.get(label, 0) + 1
        return f"{len(self._requests)} requests, items {kinds}"

    # -- protocol -------------------------------------------------------------------------
    async def _track(self, request: Request) -> JSONResponse:
        path = re.sub("/+", "/", "/" + request.path_params["path"])
        if path not in TRACK_PATHS:
            return JSONResponse({"error": f"no such endpoint {path}"}, status_code=404)
        encoding = request.headers.get("content-encoding")
        try:
            items = parse_items(await request.body(), encoding)
        except (ValueError, OSError) as exc:
            return JSONResponse(
                {"itemsReceived": 0, "itemsAccepted": 0, "errors": [str(exc)]}, status_code=400
            )
        await self._maybe_stall()
        status = self._fail_status or 200
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        record = IngestionRequest(
            path=path,
            item_count=len(items),
            status=status,
            content_encoding=encoding,
            auth_scheme=scheme or None,
            token_audience=_audience(token) if token else None,
            time=time.time(),
        )
        with self._lock:
            self._requests.append(record)
            if status == 200:
                self._envelopes.extend(items)
            self._lock.notify_all()
        if status != 200:
            errors = [
                {"index": i, "statusCode": status, "message": "injected failure"} for i in range(len(items))
            ]
            return JSONResponse(
                {"itemsReceived": len(items), "itemsAccepted": 0, "errors": errors}, status, headers=_CLOSE
            )
        return JSONResponse(
            {"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}, headers=_CLOSE
        )

    async def _maybe_stall(self) -> None:
        deadline = time.monotonic() + self._stall_seconds
        while self._stall_seconds and not self._released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--https", action="store_true", help="serve TLS with a throw-away CA")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    certs = create_tls_certificates(Path(tempfile.mkdtemp(prefix="ingestion-"))) if args.https else None
    with IngestionServer(certs=certs) as server:
        logger.info("APPLICATIONINSIGHTS_CONNECTION_STRING=%s", server.connection_string)
        if certs:
            logger.info("trust it with REQUESTS_CA_BUNDLE=%s", certs.ca_bundle)
        seen = 0
        try:
            while True:
                time.sleep(1.0)
                items = server.envelopes()
                for item in items[seen:]:
                    base = item.get("data", {})
                    logger.info("%s %s", base.get("baseType"), base.get("baseData", {}).get("name", ""))
                seen = len(items)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
