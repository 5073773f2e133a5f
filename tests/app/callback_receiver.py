"""An https receiver for job callbacks on loopback (the session CA's certificate), allowed by
CALLBACK_ALLOWED_HOSTS, with the app's signing secret set; it answers 204 (or 503 for the first
few). `receiver_secret` is the Standard Webhooks secret it verifies with, as the operator's
`python -m transcriber callback-secret URL` prints it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from devtools.local_services import listening_socket, port_of
from tests.app.jobs_queue import Jobs

SECRET = bytes(range(32)).hex()  # the app secret: 32 bytes in hex


class Receiver:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = 0
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((dict(request.headers), await request.read()))
        if len(self.calls) <= self.fail_first:
            return web.Response(status=503)
        return web.Response(status=204)


@pytest.fixture
async def receiver(tls_certs, jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/transcripts", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_certs.cert, tls_certs.key)
    sock = listening_socket()
    await web.SockSite(runner, sock, ssl_context=context).start()
    found.port = port_of(sock)
    monkeypatch.setenv("CALLBACK_ALLOWED_HOSTS", f"localhost:{found.port}")
    monkeypatch.setenv("CALLBACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("CALLBACK_BACKOFF_MILLISECONDS", "10")
    try:
        yield found
    finally:
        await runner.cleanup()


def hook(receiver: Receiver) -> str:
    return f"https://localhost:{receiver.port}/hooks/transcripts"


def receiver_secret(receiver: Receiver) -> str:
    from transcriber.domain.callback_keys import destination_secret

    return destination_secret(SECRET, hook(receiver))
