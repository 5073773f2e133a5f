"""Who may call the HTTP functions: a function key (checked by the host), or Entra ID with an app role;
and who the caller is (`transcriber.domain.owners`): the key's one tenant, or the Entra ID principal.

The platform's header is trusted only while it reports authentication on (docs/ARCHITECTURE.md).
A browser's request from another site is refused in every mode: with Entra ID the page signs in
with a cookie, which a browser would send along with another site's form (cross-site request
forgery); the Fetch Metadata header `Sec-Fetch-Site` says where a request comes from.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from transcriber.config import CallerAuthSettings
from transcriber.domain.errors import CallerForbiddenError, CallerUnauthorizedError, SettingError
from transcriber.domain.owners import KEY_CALLER, Caller, entra_owner

PRINCIPAL_HEADER = "x-ms-client-principal"
FETCH_SITE_HEADER = "sec-fetch-site"
# the page itself, or a person typing the URL; a client that is not a browser sends no such header
ALLOWED_FETCH_SITES = ("same-origin", "none")
AUTH_ENABLED = "WEBSITE_AUTH_ENABLED"
ROLE_CLAIM_TYPES = ("roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
TENANT_CLAIM_TYPES = ("http://schemas.microsoft.com/identity/claims/tenantid", "tid")
OBJECT_CLAIM_TYPES = ("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid")


def check_caller(
    headers: Mapping[str, str], settings: CallerAuthSettings, environ: Mapping[str, str]
) -> Caller:
    """The caller, when it may call; raise a 401/403 error (or a 500 setting error) if not."""
    site = _header(headers, FETCH_SITE_HEADER)
    if site is not None and site.lower() not in ALLOWED_FETCH_SITES:
        raise CallerForbiddenError("a request from another site's page is refused (Sec-Fetch-Site)")
    if settings.mode != "entra":
        return KEY_CALLER
    if (environ.get(AUTH_ENABLED) or "").lower() != "true":
        raise SettingError(
            "HTTP_AUTH_MODE",
            "is entra, but App Service authentication is off (WEBSITE_AUTH_ENABLED is not True)",
        )
    encoded = _header(headers, PRINCIPAL_HEADER)
    if not encoded:
        raise CallerUnauthorizedError("sign in with Entra ID: send a bearer token for this API")
    claims = _claims(encoded)
    held = {value for _, value, is_role in claims if is_role}
    if settings.app_role not in held:
        raise CallerForbiddenError(f"the caller lacks the app role {settings.app_role!r}")
    object_id = _first(claims, OBJECT_CLAIM_TYPES)
    if not object_id:
        raise CallerUnauthorizedError("the caller's principal has no object id")
    owner = entra_owner(_first(claims, TENANT_CLAIM_TYPES), object_id)
    return Caller(owner, sees_all=settings.admin_role is not None and settings.admin_role in held)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _first(claims: list[tuple[str, str, bool]], types: tuple[str, ...]) -> str:
    return next((value for typ, value, _ in claims if typ in types and value), "")


def roles(encoded_principal: str) -> set[str]:
    """The app roles in an X-MS-CLIENT-PRINCIPAL header."""
    return {value for _, value, is_role in _claims(encoded_principal) if is_role}


def _claims(encoded_principal: str) -> list[tuple[str, str, bool]]:
    """(type, value, is a role) per claim; an unreadable header is a 401."""
    try:
        principal = json.loads(base64.b64decode(encoded_principal, validate=False))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise CallerUnauthorizedError("the caller's principal could not be read") from None
    if not isinstance(principal, dict) or not isinstance(principal.get("claims"), list):
        raise CallerUnauthorizedError("the caller's principal has no claims")
    role_types = {*ROLE_CLAIM_TYPES, str(principal.get("role_typ") or "roles")}
    return [
        (str(claim.get("typ")), str(claim.get("val")), claim.get("typ") in role_types)
        for claim in principal["claims"]
        if isinstance(claim, dict) and claim.get("val") is not None
    ]
