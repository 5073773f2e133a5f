"""Who may call the HTTP functions: a function key, or Entra ID with an app role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from transcriber.config.values import get
from transcriber.domain.errors import SettingError
from transcriber.domain.setting_names import (
    HTTP_AUTH_MODE,
    HTTP_AUTH_MODES,
    TRANSCRIBE_ADMIN_ROLE,
    TRANSCRIBE_APP_ROLE,
)


@dataclass(frozen=True)
class CallerAuthSettings:
    """Who may call the HTTP functions: a function key, or Entra ID with an app role; with Entra ID,
    a caller holding `admin_role` sees every caller's jobs and blobs (a key holder always does)."""

    mode: str = "function"
    app_role: str | None = None
    admin_role: str | None = None


def http_auth_mode(env: Mapping[str, str]) -> str:
    """`function` (a key) or `entra`; function_app reads it at import to choose the auth level."""
    mode = (get(env, HTTP_AUTH_MODE) or "function").lower()
    if mode not in HTTP_AUTH_MODES:
        raise SettingError(HTTP_AUTH_MODE, f"must be one of {', '.join(HTTP_AUTH_MODES)}")
    return mode


def caller_auth(env: Mapping[str, str]) -> CallerAuthSettings:
    """How HTTP callers authenticate, with the app role Entra ID callers need."""
    mode = http_auth_mode(env)
    role = get(env, TRANSCRIBE_APP_ROLE)
    if mode == "entra" and role is None:
        raise SettingError(
            TRANSCRIBE_APP_ROLE, "is required with HTTP_AUTH_MODE=entra (the app role callers need)"
        )
    admin = get(env, TRANSCRIBE_ADMIN_ROLE)
    entra = mode == "entra"
    return CallerAuthSettings(mode, role if entra else None, admin if entra else None)
