"""Load what the first invocation needs while the host finishes starting, off the import path.

`import function_app` stays as cheap as `import azure.functions` (the host waits for it), and
the SDKs the app defers (storage, Speech, aiohttp, identity, the telemetry exporter) are
imported on a daemon thread started at the end of that import instead of inside the first
invocation. The thread also does the one-off work of a process's first request (the platform
string azure-core puts in User-Agent, the SDK models' serialisers) and builds the process-wide
telemetry, which is not tied to an event loop. Microsoft's runtime imports the app inside its
event loop, the one every invocation runs on; the service for that loop is then made on it, and
the loop's default executor (aiohttp's per-request hop) started. Imported outside an event
loop (a script's plain `import function_app`) nothing is started.

Two threads importing the same modules can see each other's half-initialised modules
(azure.core's imports are circular), so every entry point calls `wait_for_warm_up()` before
its own lazy imports: an invocation arriving early waits for the imports it needs anyway.
Anything that fails here is left for the invocation to report.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transcriber.config import Settings

logger = logging.getLogger(__name__)

__all__ = ["MODULES", "start_warm_up", "wait_for_warm_up"]

MODULES = (
    # First what the runtime's indexing loads on the main thread meanwhile (function_app imports
    # it lazily): both threads then wait on one module's lock instead of importing its
    # dependencies in different orders.
    "azurefunctions.extensions.bindings.blob",
    "transcriber.pipeline",
    "transcriber.telemetry",
    "transcriber.http_api",
    "transcriber.audio_payload",
    "transcriber.audio_buffer",
    "azure.core.rest._aiohttp",
    "azure.storage.blob.aio",
    "azure.ai.transcription.aio",
    "azure.ai.transcription.models",
)
TOKEN_MODULES = ("azure.identity.aio",)
_started: threading.Thread | None = None


def start_warm_up(environ: Mapping[str, str] | None = None) -> threading.Thread | None:
    """Start the warm-up thread once, when imported inside the worker's event loop."""
    global _started
    if _started is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # imported outside an event loop: a script or a test
            return None
        env = dict(os.environ if environ is None else environ)
        _started = threading.Thread(
            target=_warm_up, args=(env, loop), name="transcriber-warm-up", daemon=True
        )
        _started.start()
    return _started


def wait_for_warm_up() -> None:
    """Block until the warm-up's imports are done (at once when there is none, or it finished)."""
    thread = _started
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join()


def _warm_up(environ: dict[str, str], loop: asyncio.AbstractEventLoop) -> None:
    try:
        from transcriber.config import Settings

        settings = Settings.from_environ(environ)
        modules = list(MODULES)
        if settings.storage.uses_token or not settings.speech.api_key or settings.telemetry.entra_auth:
            modules += TOKEN_MODULES
        for module in modules:
            getattr(importlib.import_module(module), "__file__", None)  # executes a lazy module
        import platform

        platform.platform()  # azure-core's User-Agent; on Linux the first call runs `uname -p`
        _warm_sdk_models(settings)
        if settings.telemetry.connection_string:
            from transcriber.service import get_telemetry

            get_telemetry(settings.telemetry)
        if not loop.is_closed():
            loop.call_soon_threadsafe(_prepare_loop, environ)
    except Exception as exc:  # a bad setting or a missing package: the invocation will say so
        logger.debug("warm-up stopped early: %s: %s", type(exc).__name__, exc)


def _prepare_loop(environ: dict[str, str]) -> None:
    """On the worker's loop: its service (clients, no connections yet) and a default-executor thread."""
    from transcriber.service import get_service

    try:
        get_service(environ)
        asyncio.get_running_loop().run_in_executor(None, _nothing)
    except Exception as exc:
        logger.debug("warm-up could not prepare the service: %s: %s", type(exc).__name__, exc)


def _nothing() -> None:
    return None


def _warm_sdk_models(settings: Settings) -> None:
    """The SDK's models work out their fields' (de)serialisers on first use: do that here."""
    from azure.ai.transcription.models import TranscriptionContent

    from transcriber.audio_payload import AudioPayload

    definition = settings.defaults.to_sdk()
    TranscriptionContent(definition=definition, audio=("audio", AudioPayload(b""))).as_dict()
    definition.as_dict(exclude_readonly=True)
