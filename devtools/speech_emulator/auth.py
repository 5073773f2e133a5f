"""Who is calling: a subscription key, a bearer token for the Speech audience, or nobody.

Tokens are checked the way Azurite's `--oauth basic` does it: claims only (audience, expiry,
not-before), never the signature, so a local token endpoint can mint them. Secrets are compared
in constant time and never logged or journaled; only the kind of credential is kept.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping
from typing import Any, Literal

from devtools.identity_tokens import decode_jwt
from devtools.speech_emulator.errors import ServiceError

logger = logging.getLogger(__name__)

__all__ = ["AuthKind", "authenticate", "presented_auth"]

AuthKind = Literal["key", "bearer", "none"]

KEY_HEADER = "ocp-apim-subscription-key"
_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
    "valid key for an active subscription and use a correct regional API endpoint for your resource."
)


def presented_auth(headers: Mapping[str, str]) -> AuthKind:
    """The kind of credential a request carries (a key wins over a token, as in the service)."""
    if KEY_HEADER in headers:
        return "key"
    if headers.get("authorization", "").lower().startswith("bearer "):
        return "bearer"
    return "none"


def authenticate(
    headers: Mapping[str, str],
    *,
    key: str,
    refuse_keys: bool,
    https: bool,
    audience: str,
    now: float | None = None,
) -> AuthKind:
    """Accept the request's credential or raise a 401 `ServiceError` saying why not."""
    kind = presented_auth(headers)
    if kind == "key":
        if refuse_keys:
            raise ServiceError.unauthorized(
                "AuthenticationTypeDisabled", "Key based authentication is disabled for this resource."
            )
        if not hmac.compare_digest(headers[KEY_HEADER].encode(), key.encode()):
            raise ServiceError.unauthorized("InvalidSubscriptionKey", _DENIED)
        return kind
    if kind == "bearer":
        if not https:
            raise ServiceError.unauthorized(
                "InvalidAuthenticationType",
                "Bearer tokens are accepted only over https: start the emulator with a certificate.",
            )
        token = headers["authorization"].split(" ", 1)[1].strip()
        _check_claims(_claims(token), audience, time.time() if now is None else now)
        return kind
    raise ServiceError.unauthorized(
        "MissingCredentials",
        "Access denied due to missing subscription key or bearer token. Make sure to include a "
        "subscription key or an Authorization header when making requests to the API.",
    )


def _claims(token: str) -> dict[str, Any]:
    try:
        claims = decode_jwt(token)
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise ServiceError.unauthorized("InvalidToken", "The access token is not a JWT.") from exc
    if not isinstance(claims, dict):
        raise ServiceError.unauthorized("InvalidToken", "The access token is not a JWT.")
    return claims


def _check_claims(claims: dict[str, Any], audience: str, now: float) -> None:
    audiences = claims.get("aud")
    wanted = audience.rstrip("/")
    found = audiences if isinstance(audiences, list) else [audiences]
    if not any(isinstance(aud, str) and aud.rstrip("/") == wanted for aud in found):
        raise ServiceError.unauthorized(
            "InvalidToken",
            f"The access token's audience is not {audience}: it was issued for another service.",
        )
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires <= now:
        raise ServiceError.unauthorized("TokenExpired", "The access token is expired or has no expiry.")
    not_before = claims.get("nbf")
    if isinstance(not_before, int | float) and not_before > now:
        raise ServiceError.unauthorized("TokenExpired", "The access token is not valid yet (nbf).")
