"""A strict stand-in for Azure AI Speech batch transcription (REST 2024-11-15), for client unit tests.

Shaped on Microsoft's REST reference (azure-rest-api-specs,
specification/cognitiveservices/data-plane/Speech/SpeechToText/stable/2024-11-15: speechtotext.json
and examples/create_multispeaker_diarization_transcription.json, get_transcription_files.json,
get_failed_transcriptions.json) and the "Get batch transcription results" page. It checks what the
real service checks before anything else: api-version, and a key or a bearer token for
https://cognitiveservices.azure.com (wrong audience or expired: 401). Result files live under
/artifacts/... with a SAS-looking query, like Microsoft's storage, and refuse any request that
carries our credential (the real storage would answer 400/403 to an unknown Authorization).

Faults: `service.script(status, body=..., headers=..., count=n)` answers the next n API requests
so; `service.states[id]` is the list of statuses the transcription walks through, one per GET.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from devtools.identity_tokens import decode_jwt
from devtools.local_services import LOOPBACK, listening_socket, port_of

API_VERSION = "2024-11-15"
AUDIENCE = "https://cognitiveservices.azure.com"
SAS_SECRET = "sig=SECRETSIGNATURE0123456789abcdef"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class EndlessResult:
    """A result file that never ends: `piece` again and again until the client hangs up."""

    piece: bytes
    sent: int = 0


@dataclass
class FakeBatchService:
    key: str | None = "batch-test-key"
    seen: list[Seen] = field(default_factory=list)
    transcriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: dict[str, list[str]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, dict[str, str]] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    scripted: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    result_scripted: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    base_url: str = ""
    content_scheme_host: str | None = None  # override the contentUrl's origin (tests of its check)
    next_link_origin: str | None = None  # override the files list's @nextLink origin
    delay_seconds: float = 0.0  # every API answer waits this long

    def script(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, count: int = 1
    ) -> None:
        for _ in range(count):
            self.scripted.append((status, body, headers or {}))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/speechtotext/transcriptions:submit", self._submit)
        app.router.add_get("/speechtotext/transcriptions/{id}", self._get)
        app.router.add_delete("/speechtotext/transcriptions/{id}", self._delete)
        app.router.add_get("/speechtotext/transcriptions/{id}/files", self._files)
        app.router.add_get("/artifacts/{name}", self._artifact)
        return app

    # -- API ---------------------------------------------------------------------------------
    async def _guard(self, request: web.Request) -> web.Response | None:
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        self.seen.append(Seen(request.method, request.path, dict(request.query), dict(request.headers), body))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.scripted:
            status, payload, headers = self.scripted.pop(0)
            return web.json_response(payload or {}, status=status, headers=headers)
        if request.query.get("api-version") != API_VERSION:
            return _error(400, "InvalidRequest", "Unsupported api-version.")
        return self._auth(request)

    def _auth(self, request: web.Request) -> web.Response | None:
        given = request.headers.get("Ocp-Apim-Subscription-Key")
        bearer = request.headers.get("Authorization", "")
        if given is not None:
            return None if self.key is not None and given == self.key else _denied()
        if bearer.startswith("Bearer "):
            try:
                claims = decode_jwt(bearer.removeprefix("Bearer "))
            except Exception:
                return _denied()
            if claims.get("aud") != AUDIENCE or claims.get("exp", 0) < time.time():
                return _denied()
            return None
        return _denied()

    async def _submit(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        body = self.seen[-1].body
        if not body or not body.get("contentUrls") or not body.get("locale") or not body.get("displayName"):
            return _error(400, "InvalidRequest", "contentUrls, locale and displayName are required.")
        if "timeToLiveHours" not in (body.get("properties") or {}):
            return _error(400, "InvalidArgument", "timeToLiveHours is required.", inner="InvalidTimeToLive")
        tid = str(uuid.uuid4())
        entity = {
            "self": f"{self.base_url}/speechtotext/transcriptions/{tid}?api-version={API_VERSION}",
            "links": {
                "files": f"{self.base_url}/speechtotext/transcriptions/{tid}/files?api-version={API_VERSION}"
            },
            "properties": {k: v for k, v in body["properties"].items()},
            "locale": body["locale"],
            "displayName": body["displayName"],
            "customProperties": body.get("customProperties") or {},
            "createdDateTime": "2026-12-02T00:00:00Z",
            "lastActionDateTime": "2026-12-02T00:00:00Z",
            "status": "NotStarted",
        }
        self.transcriptions[tid] = entity
        return web.json_response(entity, status=201, headers={"Location": entity["self"]})

    async def _get(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        entity = self.transcriptions.get(request.match_info["id"])
        if entity is None:
            return _error(404, "NotFound", "The transcription does not exist.")
        walk = self.states.get(request.match_info["id"])
        if walk:
            entity["status"] = walk.pop(0) if len(walk) > 1 else walk[0]
        if entity["status"] == "Failed":
            entity["properties"]["error"] = self.failures.get(
                request.match_info["id"], {"code": "InvalidData", "message": "Failed to transcribe."}
            )
        return web.json_response(entity, headers={"Retry-After": "7"})

    async def _delete(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        if self.transcriptions.pop(request.match_info["id"], None) is None:
            return _error(404, "NotFound", "The transcription does not exist.")
        return web.Response(status=204)

    async def _files(self, request: web.Request) -> web.Response:
        refused = await self._guard(request)
        if refused is not None:
            return refused
        tid = request.match_info["id"]
        if tid not in self.transcriptions:
            return _error(404, "NotFound", "The transcription does not exist.")
        origin = self.content_scheme_host or self.base_url
        values = [
            {
                "self": f"{self.base_url}/speechtotext/transcriptions/{tid}/files/{uuid.uuid4()}?api-version={API_VERSION}",
                "name": "report.json",
                "kind": "TranscriptionReport",
                "links": {"contentUrl": f"{origin}/artifacts/{tid}-report.json?sv=2021&sr=b&{SAS_SECRET}"},
                "properties": {"size": 100},
                "createdDateTime": "2026-12-02T00:00:00Z",
            }
        ]
        if tid in self.results:
            values.append(
                {
                    "self": f"{self.base_url}/speechtotext/transcriptions/{tid}/files/{uuid.uuid4()}?api-version={API_VERSION}",
                    "name": "contenturl_0.json",
                    "kind": "Transcription",
                    "links": {"contentUrl": f"{origin}/artifacts/{tid}.json?sv=2021&sr=b&{SAS_SECRET}"},
                    "properties": {"size": 1000},
                    "createdDateTime": "2026-12-02T00:00:00Z",
                }
            )
        if request.query.get("skip") is None and len(values) > 1:  # two pages, as the reference shows
            return web.json_response(
                {
                    "values": values[:1],
                    "@nextLink": f"{self.next_link_origin or self.base_url}{request.path}?skip=1&top=1&api-version={API_VERSION}",
                }
            )
        return web.json_response({"values": values[1:] if request.query.get("skip") else values})

    # -- Microsoft's storage -------------------------------------------------------------------
    async def _artifact(self, request: web.Request) -> web.Response:
        self.seen.append(Seen(request.method, request.path, dict(request.query), dict(request.headers), None))
        if "Authorization" in request.headers or "Ocp-Apim-Subscription-Key" in request.headers:
            return web.Response(status=400, text="<Error><Code>InvalidAuthenticationInfo</Code></Error>")
        if request.query.get("sig") != SAS_SECRET.removeprefix("sig="):
            return web.Response(status=403, text="<Error><Code>AuthenticationFailed</Code></Error>")
        if self.result_scripted:
            status, payload, headers = self.result_scripted.pop(0)
            return web.Response(status=status, text=json.dumps(payload or {}), headers=headers)
        name = request.match_info["name"]
        if name.endswith("-report.json"):
            default = {"successfulTranscriptionsCount": 1, "failedTranscriptionsCount": 0, "details": []}
            return web.json_response(self.reports.get(name.removesuffix("-report.json"), default))
        document = self.results.get(name.removesuffix(".json"))
        if document is None:
            return web.Response(status=404, text="<Error><Code>BlobNotFound</Code></Error>")
        if isinstance(document, EndlessResult):
            return await _endless(request, document)
        return web.json_response(document)


async def _endless(request: web.Request, document: EndlessResult) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    try:
        await response.write(b'{"recognizedPhrases": [')
        while True:
            await response.write(document.piece)
            document.sent += len(document.piece)
    except (ConnectionError, RuntimeError):  # the client hung up (aiohttp: reset, or closing transport)
        pass
    return response


def _error(status: int, code: str, message: str, inner: str | None = None) -> web.Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if inner:
        error["innerError"] = {"code": inner, "message": message}
    return web.json_response({"error": error}, status=status)


def _denied() -> web.Response:
    return web.json_response(
        {
            "error": {
                "code": "401",
                "message": "Access denied due to invalid subscription key or wrong API endpoint.",
            }
        },
        status=401,
    )


async def start(service: FakeBatchService, context: ssl.SSLContext | None) -> web.AppRunner:
    runner = web.AppRunner(service.app())
    await runner.setup()
    sock = listening_socket()
    await web.SockSite(runner, sock, ssl_context=context).start()
    service.base_url = f"{'https' if context else 'http'}://{LOOPBACK}:{port_of(sock)}"
    return runner
