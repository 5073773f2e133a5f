"""Telemetry settings: Application Insights export, and whether blob names may appear in it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from transcriber.config.values import boolean, get, random_key
from transcriber.domain.errors import SettingError
from transcriber.domain.privacy import PrivacySettings
from transcriber.domain.setting_names import (
    APPINSIGHTS_AUTH,
    APPINSIGHTS_CONNECTION,
    INCLUDE_BLOB_NAMES,
    NAME_KEY,
    TELEMETRY_BACKEND,
    TELEMETRY_BACKENDS,
)


@dataclass(frozen=True)
class TelemetrySettings:
    """Application Insights export; no connection string means no exporter at all."""

    connection_string: str | None
    backend: str
    entra_auth: bool
    client_id: str | None


def read_telemetry(env: Mapping[str, str]) -> TelemetrySettings:
    backend = (get(env, TELEMETRY_BACKEND) or "opencensus").lower()
    if backend not in TELEMETRY_BACKENDS:
        raise SettingError(TELEMETRY_BACKEND, f"must be one of {', '.join(TELEMETRY_BACKENDS)}")
    auth = get(env, APPINSIGHTS_AUTH)
    entra, client_id = False, None
    if auth:
        pairs = dict(p.split("=", 1) for p in auth.split(";") if "=" in p)
        if pairs.get("Authorization", "").upper() != "AAD":
            raise SettingError(
                APPINSIGHTS_AUTH, "must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<id>'"
            )
        entra, client_id = True, pairs.get("ClientId") or None
    return TelemetrySettings(get(env, APPINSIGHTS_CONNECTION), backend, entra, client_id)


def read_privacy(env: Mapping[str, str]) -> PrivacySettings:
    return PrivacySettings(bool(boolean(env, INCLUDE_BLOB_NAMES, default=False)), random_key(env, NAME_KEY))
