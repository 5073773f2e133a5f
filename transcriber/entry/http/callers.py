"""Who may call the HTTP functions: a function key (checked by the host), or Entra ID with an app role.

The platform's header is trusted only while it reports authentication on (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from transcriber.config import CallerAuthSettings
from transcriber.domain.errors import CallerForbiddenError, CallerUnauthorizedError, SettingError

PRINCIPAL_HEADER = "x-ms-client-principal"
AUTH_ENABLED = "WEBSITE_AUTH_ENABLED"
ROLE_CLAIM_TYPES = ("roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")


def check_caller(
    headers: Mapping[str, str], settings: CallerAuthSettings, environ: Mapping[str, str]
) -> None:
    """Return when the caller may transcribe; raise a 401/403 error (or a 500 setting error) if not."""
    if settings.mode != "entra":
        return
    if (environ.get(AUTH_ENABLED) or "").lower() != "true":
        raise SettingError(
            "HTTP_AUTH_MODE",
            "is entra, but App Service authentication is off (WEBSITE_AUTH_ENABLED is not True)",
        )
    encoded = next((value for key, value in headers.items() if key.lower() == PRINCIPAL_HEADER), None)
    if not encoded:
        raise CallerUnauthorizedError("sign in with Entra ID: send a bearer token for this API")
    if settings.app_role not in roles(encoded):
        raise CallerForbiddenError(f"the caller lacks the app role {settings.app_role!r}")


def roles(encoded_principal: str) -> set[str]:
    """The app roles in an X-MS-CLIENT-PRINCIPAL header; an unreadable header has none."""
    try:
        principal = json.loads(base64.b64decode(encoded_principal, validate=False))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise CallerUnauthorizedError("the caller's principal could not be read") from None
    if not isinstance(principal, dict) or not isinstance(principal.get("claims"), list):
        raise CallerUnauthorizedError("the caller's principal has no claims")
    role_types = {*ROLE_CLAIM_TYPES, str(principal.get("role_typ") or "roles")}
    return {
        str(claim.get("val"))
        for claim in principal["claims"]
        if isinstance(claim, dict) and claim.get("typ") in role_types
    }
