"""Managed identities and the Entra-shaped JWTs minted for them, for local token endpoints.

The claims follow a v1 Entra access token for a managed identity (issuer
`https://sts.windows.net/<tenant>/`, `appid`/`azp` = client id, `oid`, `tid`, `xms_mirid`),
because Azurite's `--oauth basic` and our Speech emulator check claims, never signatures.
The HS256 signature is real, keyed by a per-server secret, so a stricter check is possible.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["ManagedIdentity", "decode_jwt", "mint_jwt"]

_PROVIDERS = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-local/providers"
# Entra backdates iat/nbf by five minutes to absorb clock skew.
_CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class ManagedIdentity:
    """An identity tokens are minted for: the app's system-assigned one or a user-assigned one."""

    client_id: str
    object_id: str
    resource_id: str
    user_assigned: bool

    @classmethod
    def new(cls, *, user_assigned: bool, client_id: str | None = None) -> ManagedIdentity:
        """A fresh identity with random ids and a plausible ARM resource id."""
        client_id = client_id or str(uuid.uuid4())
        if user_assigned:
            resource_id = f"{_PROVIDERS}/Microsoft.ManagedIdentity/userAssignedIdentities/id-{client_id[:8]}"
        else:
            resource_id = f"{_PROVIDERS}/Microsoft.Web/sites/func-local"
        return cls(client_id, str(uuid.uuid4()), resource_id, user_assigned)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_jwt(
    *,
    audience: str,
    identity: ManagedIdentity,
    tenant_id: str,
    lifetime_seconds: int,
    signing_key: bytes,
) -> str:
    """An HS256 JWT for `identity`; a negative lifetime gives an already-expired token."""
    now = int(time.time())
    expires = now + lifetime_seconds
    issued = min(now, expires) - _CLOCK_SKEW_SECONDS
    issuer = f"https://sts.windows.net/{tenant_id}/"
    claims = {
        "aud": audience,
        "iss": issuer,
        "iat": issued,
        "nbf": issued,
        "exp": expires,
        "appid": identity.client_id,
        "appidacr": "2",
        "azp": identity.client_id,
        "idp": issuer,
        "oid": identity.object_id,
        "sub": identity.object_id,
        "tid": tenant_id,
        "uti": secrets.token_urlsafe(16),
        "ver": "1.0",
        "xms_mirid": identity.resource_id,
    }
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(signing_key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64url(signature)}"


def decode_jwt(token: str) -> dict[str, Any]:
    """Claims of a JWT, unverified: for assertions in tests and claim checks in emulators."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims
