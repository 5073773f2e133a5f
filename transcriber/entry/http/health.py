"""GET /api/health (anonymous: is the configuration valid?) and /api/health/deep (with a key)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from transcriber.config import Settings
from transcriber.domain.errors import InvalidRequestError, SettingError
from transcriber.entry.http.edge import HttpReply, error_reply
from transcriber.flows.health import deep_health
from transcriber.services import get_service

HEALTH_QUERY = ("deep", "code")  # `code` carries a function key


def health(url: str = "", environ: Mapping[str, str] | None = None) -> HttpReply:
    """Anonymous and cheap: only whether the configuration is valid. Details need a key (deep)."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    unknown = sorted(set(query) - set(HEALTH_QUERY))
    if unknown:
        return error_reply(InvalidRequestError(f"unknown query parameter(s): {', '.join(unknown)}"))
    if "deep" in query:
        body = {
            "error": {
                "code": "KeyRequired",
                "message": "deep checks need a function key: GET /api/health/deep "
                "with the x-functions-key header (or ?code=<key>)",
            }
        }
        return HttpReply(403, json.dumps(body))
    try:
        Settings.from_environ(os.environ if environ is None else environ)
    except SettingError:
        return HttpReply(503, json.dumps({"status": "misconfigured"}))
    return HttpReply(200, json.dumps({"status": "ok"}))


async def health_deep(environ: Mapping[str, str] | None = None) -> HttpReply:
    """With a key: the configuration, and Speech and storage probed with the app's own credentials."""
    try:
        settings = Settings.from_environ(os.environ if environ is None else environ)
        service = get_service(environ)
    except SettingError as exc:
        problems = getattr(exc, "problems", [exc])
        body = {
            "status": "misconfigured",
            "error": {"code": exc.code, "setting": exc.setting, "message": exc.message},
            "invalidSettings": [{"setting": p.setting, "problem": p.message} for p in problems],
        }
        return HttpReply(503, json.dumps(body))
    healthy, report = await deep_health(service)
    return HttpReply(200 if healthy else 503, json.dumps({**report, "configuration": _describe(settings)}))


def _describe(settings: Settings) -> dict[str, object]:
    """The configuration, naming settings and hosts but never a secret."""
    return {
        "speech": {
            "endpointHost": settings.speech.host,
            "apiVersion": settings.speech.api_version,
            "authentication": "key" if settings.speech.api_key else "token",
        },
        "storage": settings.storage.describe(),
        "audioContainer": settings.audio_container,
        "transcriptsContainer": settings.transcripts_container,
        "failuresContainer": settings.failures_container,
        "triggerSource": settings.trigger_source,
        "outputFormats": list(settings.output_formats),
        "defaults": settings.defaults.describe(),
        "telemetry": {
            "enabled": bool(settings.telemetry.connection_string),
            "backend": settings.telemetry.backend,
            "entraAuthentication": settings.telemetry.entra_auth,
        },
    }
