"""The seam between `make dev` and the Functions host: the only module that knows which host runs.

Today this drives the stand-in `devtools.functions_host.FunctionsHost` (the app's own functions
called with real azure.functions objects) and plays the host's part around it: HTTP routes from
the bindings under host.json's route prefix, no function keys (as under `func start`), and the
blob trigger's tries up to host.json's `poisonBlobThreshold`, then a message on the
`webjobs-blobtrigger-poison` queue. When the runtime-driven host (azure-functions-runtime) is in
place, `DevHost` delegates to it instead, and nothing else in devtools/dev changes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

POISON_QUEUE = "webjobs-blobtrigger-poison"


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: dict[str, str]
    body: bytes
    function: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class BlobReply:
    """`succeeded`, `poisoned` (every try failed), `gone` (deleted first) or `unmatched`."""

    status: str
    attempts: int
    errors: list[str] = field(default_factory=list)
    function: str | None = None


@dataclass(frozen=True)
class Route:
    function: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    template: str


class DevHost:
    """function_app's functions behind routes and a blob trigger, as `func start` serves them."""

    def __init__(self, app_dir: Path, host: Any, connection: str) -> None:
        self.app_dir = app_dir
        self._host = host
        self._connection = connection
        settings = json.loads((app_dir / "host.json").read_text())
        extensions = settings.get("extensions") or {}
        self.route_prefix = ((extensions.get("http") or {}).get("routePrefix", "api")).strip("/")
        self.poison_threshold = int((extensions.get("blobs") or {}).get("poisonBlobThreshold", 5))
        self.routes: list[Route] = []
        self.blob_function: str | None = None
        self.blob_path = ""
        for name in host.functions:
            trigger = next(b for b in host.bindings(name) if b["type"].endswith("Trigger"))
            if trigger["type"] == "httpTrigger":
                template = "/" + "/".join(p for p in (self.route_prefix, trigger.get("route") or name) if p)
                regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
                methods = frozenset(m.upper() for m in trigger.get("methods") or ("GET", "POST"))
                self.routes.append(Route(name, re.compile(regex, re.IGNORECASE), methods, template))
            elif trigger["type"] == "blobTrigger":
                self.blob_function, self.blob_path = name, trigger["path"]

    @classmethod
    def start(cls, app_dir: Path, connection: str) -> DevHost:
        """Import and index function_app (settings must already be in os.environ)."""
        import function_app
        from devtools.functions_host import FunctionsHost

        return cls(app_dir, FunctionsHost(function_app.app), connection)

    @property
    def blob_container(self) -> str:
        return self.blob_path.split("/", 1)[0]

    async def http(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> HttpReply:
        """Route like the host (404 when no route matches, 405-less: wrong method is 404 too)."""
        path = unquote(urlsplit(url).path).rstrip("/") or "/"
        route = next(
            (r for r in self.routes if r.pattern.fullmatch(path) and method.upper() in r.methods), None
        )
        if route is None:
            return HttpReply(404, {}, b"", None)
        try:
            response = await self._host.http(route.function, method.upper(), url, body, headers)
        except Exception as exc:  # the host answers 500 when a function raises
            return HttpReply(500, {}, b"", route.function, f"{type(exc).__name__}: {exc}")
        reply_headers = dict(response.headers)
        if response.mimetype:
            charset = f"; charset={response.charset}" if response.charset else ""
            reply_headers["Content-Type"] = response.mimetype + charset
        return HttpReply(response.status_code, reply_headers, response.get_body(), route.function)

    async def blob_event(self, container: str, name: str) -> BlobReply:
        """Tries until one succeeds or poisonBlobThreshold fail, then the poison message."""
        from devtools.functions_host import Context, RetryContext, new_trace_parent

        function = self.blob_function
        if function is None or container != self.blob_container:
            return BlobReply("unmatched", 0)
        errors: list[str] = []
        for attempt in range(self.poison_threshold):
            if not await self._exists(container, name):
                return BlobReply("gone", attempt, errors, function)
            retry = RetryContext(attempt, self.poison_threshold - 1)
            context = Context(function, new_trace_parent(), retry)
            try:
                await self._host.blob_event(function, container, name, b"", context=context)
            except Exception as exc:  # a failed try: the host tries again
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            return BlobReply("succeeded", attempt + 1, errors, function)
        await self._poison(container, name)
        return BlobReply("poisoned", self.poison_threshold, errors, function)

    async def _exists(self, container: str, name: str) -> bool:
        from azure.storage.blob.aio import BlobClient

        async with BlobClient.from_connection_string(self._connection, container, name) as blob:
            return await blob.exists()

    async def _poison(self, container: str, name: str) -> None:
        """The blob extension's BlobTriggerMessage, base64 as the WebJobs queue client writes it."""
        from azure.core.exceptions import ResourceExistsError
        from azure.storage.blob.aio import BlobClient
        from azure.storage.queue.aio import QueueClient

        async with BlobClient.from_connection_string(self._connection, container, name) as blob:
            etag = (await blob.get_blob_properties()).etag
        message = {
            "Type": "BlobTrigger",
            "FunctionId": f"Host.Functions.{self.blob_function}",
            "BlobType": "BlockBlob",
            "ContainerName": container,
            "BlobName": name,
            "ETag": etag,
        }
        async with QueueClient.from_connection_string(self._connection, POISON_QUEUE) as queue:
            with contextlib.suppress(ResourceExistsError):
                await queue.create_queue()
            await queue.send_message(base64.b64encode(json.dumps(message).encode()).decode())


def elapsed(since: float) -> str:
    return f"{time.perf_counter() - since:.2f} s"
