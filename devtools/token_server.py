"""A local managed-identity endpoint speaking the App Service / Functions protocol.

`ManagedIdentityCredential` (sync via MSAL, aio via azure-core) sends
`GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=<aud>[&client_id=<id>]` with
`X-IDENTITY-HEADER: $IDENTITY_HEADER` (the sync path adds `Metadata: true`), and accepts
`{"access_token", "expires_on": "<epoch s>", "resource", "token_type", "client_id"}`.
Pointing those two variables here runs the production credential code unchanged. Tokens come
from `devtools.identity_tokens`: claims that Azurite's `--oauth basic` and our Speech emulator
accept. Errors use App Service's `{"statusCode", "message"}` body, which MSAL quotes.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devtools.identity_tokens import ManagedIdentity, decode_jwt, mint_jwt
from devtools.local_services import ServerThread

logger = logging.getLogger(__name__)

__all__ = ["API_VERSION", "ManagedIdentity", "TokenRequest", "TokenServer", "decode_jwt"]

API_VERSION = "2019-08-01"
TOKEN_PATH = "/msi/token"
_IDENTITY_PARAMS = ("client_id", "object_id", "mi_res_id", "principal_id")


@dataclass(frozen=True)
class TokenRequest:
    """One journal entry: what reached the endpoint and what it answered."""

    resource: str | None
    client_id: str | None
    params: dict[str, str]
    identity_header: str | None
    metadata_header: str | None
    status: int
    time: float


class TokenServer:
    """In-process token endpoint on a free loopback port; start/stop or use as a context manager.

    Knobs tests turn (plain attributes, read per request): `lifetime_seconds` (negative mints
    already-expired tokens), `audience_override` (mint for the wrong audience),
    `identity_header` (the secret the client must echo).
    """

    def __init__(
        self,
        *,
        user_assigned: Iterable[str] = (),
        system_assigned: bool = True,
        tenant_id: str | None = None,
        identity_header: str | None = None,
        lifetime_seconds: int = 3600,
        audience_override: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.tenant_id = tenant_id or str(uuid.uuid4())
        self.identity_header = identity_header or secrets.token_urlsafe(24)
        self.lifetime_seconds = lifetime_seconds
        self.audience_override = audience_override
        self.signing_key = secrets.token_bytes(32)
        self.system_identity = ManagedIdentity.new(user_assigned=False) if system_assigned else None
        self.user_identities: dict[str, ManagedIdentity] = {}
        for client_id in user_assigned:
            self.add_user_assigned(client_id)
        self._defaults = (self.identity_header, lifetime_seconds, audience_override)
        self._journal: list[TokenRequest] = []
        self._lock = threading.Lock()
        self._host = host
        self._port = 0
        self._server = _Server(self, host)
        self._serving = ServerThread(self._server, name="token server", poll_interval=0.05)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> TokenServer:
        """Bind the OS-assigned port and serve in a daemon thread."""
        self._server.server_bind()
        self._server.server_activate()
        self._port = self._serving.start().port
        logger.info("token server listening at %s", self.endpoint)
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        self._serving.stop()

    def __enter__(self) -> TokenServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- configuration and inspection ------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """`http://127.0.0.1:<port>/msi/token`; still known after `stop()` (to test an endpoint that is down)."""
        if not self._port:
            raise RuntimeError("token server not started")
        return f"http://{self._host}:{self._port}{TOKEN_PATH}"

    def env(self) -> dict[str, str]:
        """The variables that make `ManagedIdentityCredential` use this server."""
        return {"IDENTITY_ENDPOINT": self.endpoint, "IDENTITY_HEADER": self.identity_header}

    def add_user_assigned(self, client_id: str | None = None) -> ManagedIdentity:
        """Register a user-assigned identity (random client id unless given)."""
        identity = ManagedIdentity.new(user_assigned=True, client_id=client_id)
        self.user_identities[identity.client_id] = identity
        return identity

    @property
    def journal(self) -> list[TokenRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._journal)

    def reset(self) -> None:
        """Forget the journal and restore header, lifetime and audience to their initial values."""
        self.identity_header, self.lifetime_seconds, self.audience_override = self._defaults
        with self._lock:
            self._journal.clear()

    def mint(
        self, audience: str, identity: ManagedIdentity | None = None, lifetime_seconds: int | None = None
    ) -> str:
        """A JWT for `identity` (default: system-assigned) as the endpoint would issue it."""
        return mint_jwt(
            audience=audience,
            identity=identity or self.system_identity or ManagedIdentity.new(user_assigned=False),
            tenant_id=self.tenant_id,
            lifetime_seconds=self.lifetime_seconds if lifetime_seconds is None else lifetime_seconds,
            signing_key=self.signing_key,
        )

    # -- protocol --------------------------------------------------------------------------
    def _answer(self, path: str, params: dict[str, str], header: str | None) -> tuple[int, dict[str, Any]]:
        if path != TOKEN_PATH:
            return 404, {"statusCode": 404, "message": f"No such endpoint {path}"}
        if header is None:
            return 401, {"statusCode": 401, "message": "X-IDENTITY-HEADER is missing"}
        if not hmac.compare_digest(header, self.identity_header):
            return 401, {"statusCode": 401, "message": "X-IDENTITY-HEADER is invalid"}
        if params.get("api-version") != API_VERSION:
            return 400, {"statusCode": 400, "message": f"api-version must be {API_VERSION}"}
        resource = params.get("resource")
        if not resource:
            return 400, {"statusCode": 400, "message": "resource is required"}
        identity = self._find_identity(params)
        if identity is None:
            return 400, {"statusCode": 400, "message": "Unable to load the proper Managed Identity."}
        audience = self.audience_override or resource.removesuffix("/.default")
        token = self.mint(audience, identity)
        reply = {
            "access_token": token,
            "expires_on": str(decode_jwt(token)["exp"]),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": identity.client_id,
        }
        return 200, reply

    def _find_identity(self, params: dict[str, str]) -> ManagedIdentity | None:
        """System-assigned without an id parameter, else the one user-assigned identity it names."""
        chosen = [(name, params[name]) for name in _IDENTITY_PARAMS if params.get(name)]
        if not chosen:
            return self.system_identity
        if len(chosen) > 1:
            return None
        name, value = chosen[0]
        field = {"client_id": "client_id", "mi_res_id": "resource_id"}.get(name, "object_id")
        return next((i for i in self.user_identities.values() if getattr(i, field) == value), None)

    def _record(self, entry: TokenRequest) -> None:
        with self._lock:
            self._journal.append(entry)


class _Server(ThreadingHTTPServer):
    """Knows its `TokenServer`, so handlers can reach the configuration and journal."""

    daemon_threads = True

    def __init__(self, owner: TokenServer, host: str) -> None:
        super().__init__((host, 0), _Handler, bind_and_activate=False)
        self.owner = owner


class _Handler(BaseHTTPRequestHandler):
    """Translates HTTP to `TokenServer._answer` and journals every request."""

    server_version = "local-msi"

    def do_GET(self) -> None:
        assert isinstance(self.server, _Server)
        owner = self.server.owner
        url = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(url.query).items()}
        header = self.headers.get("X-IDENTITY-HEADER")
        status, body = owner._answer(url.path, params, header)
        owner._record(
            TokenRequest(
                resource=params.get("resource"),
                client_id=params.get("client_id"),
                params=params,
                identity_header=header,
                metadata_header=self.headers.get("Metadata"),
                status=status,
                time=time.time(),
            )
        )
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("token server: " + format, *args)
