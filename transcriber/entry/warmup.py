"""Load what the first invocation needs while the host finishes starting, off the import path.

A daemon thread started once indexing is over (docs/ARCHITECTURE.md, "Warm-up", says why).
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
    from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)

__all__ = ["MODULES", "check_settings", "join_warm_up", "start_warm_up", "wait_for_warm_up"]

MODULES = (
    # Indexing has loaded this one already (it resolves the blob trigger's annotation); named
    # for an app indexed without it, e.g. a script that imports function_app inside a loop.
    "azurefunctions.extensions.bindings.blob",
    "transcriber.flows.blob",
    "transcriber.entry.triggers",  # the blob, jobs-queue and erasure triggers' entry
    "transcriber.adapters.telemetry",
    "transcriber.entry.http.transcribe",
    "transcriber.adapters.audio_payload",
    "azure.core.rest._aiohttp",
    "azure.storage.blob.aio",
    "azure.ai.transcription.aio",
    "azure.ai.transcription.models",
)
TOKEN_MODULES = ("azure.identity.aio",)
_started: threading.Thread | None = None
_scheduled: threading.Thread | None = None
_lock = threading.Lock()
_stop = threading.Event()  # an invocation arrived: end after the current step
_background: set[asyncio.Task[None]] = set()
CHECK_TIMEOUT_S = 10.0


def start_warm_up(environ: Mapping[str, str] | None = None) -> threading.Thread | None:
    """Schedule the warm-up once, on the running loop: it starts after the current step (the
    runtime's import and indexing); None outside an event loop."""
    global _scheduled
    if _scheduled is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # imported outside an event loop: a script or a test
            return None
        env = dict(os.environ if environ is None else environ)
        _scheduled = threading.Thread(
            target=_warm_up, args=(env, loop), name="transcriber-warm-up", daemon=True
        )
        loop.call_soon(_begin)
    return _scheduled


def wait_for_warm_up() -> None:
    """An invocation's first step: the warm-up, if still working, stops after its current step,
    and this blocks until it has (at once when there is none, or it finished)."""
    _stop.set()
    _join()


def join_warm_up() -> None:
    """Block until the warm-up has done all it will do, without cutting it short (for tests and
    benchmarks that watch it)."""
    _join()


def _join() -> None:
    thread = _begin()
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join()


def _begin() -> threading.Thread | None:
    global _started
    with _lock:
        if _started is None and _scheduled is not None:
            _started = _scheduled
            _started.start()
        return _started


def check_settings(environ: Mapping[str, str] | None = None) -> Settings | None:
    """The whole configuration, or None once what is wrong is logged (invocations refuse until
    it is fixed). The warm-up does it in the worker; an import outside a loop, at once."""
    from transcriber.config import SettingError, Settings

    try:
        return Settings.from_environ(os.environ if environ is None else environ)
    except SettingError as error:
        logger.error("invalid configuration, nothing will be transcribed: %s", error)
        return None


def _warm_up(environ: dict[str, str], loop: asyncio.AbstractEventLoop) -> None:
    try:
        if _stop.is_set():
            return
        settings = check_settings(environ)  # in the host's start-up log, right after indexing
        if settings is None:
            return
        modules = list(MODULES)
        if settings.storage.uses_token or not settings.speech.api_key or settings.telemetry.entra_auth:
            modules += TOKEN_MODULES
        for module in modules:
            if _stop.is_set():
                return
            getattr(importlib.import_module(module), "__file__", None)  # executes a lazy module
        if _stop.is_set():
            return
        import platform

        platform.platform()  # azure-core's User-Agent; on Linux the first call runs `uname -p`
        _warm_sdk_models(settings)
        if settings.telemetry.connection_string:
            from transcriber.services import get_telemetry

            get_telemetry(settings.telemetry)
        if not loop.is_closed() and not _stop.is_set():
            loop.call_soon_threadsafe(_prepare_loop, environ)
    except Exception as exc:  # a bad setting or a missing package: the invocation will say so
        logger.debug("warm-up stopped early: %s: %s", type(exc).__name__, exc)


def _prepare_loop(environ: dict[str, str]) -> None:
    """On the worker's loop: its service with its clients built (no connections yet), the
    loop's default-executor thread, then a task that does the rest of a first request's one-off
    work: the first tokens (cached by the credentials) and the check that the containers exist."""
    from transcriber.services import get_service

    try:
        service = get_service(environ)
        service.speech.prepare_client()
        service.store.prepare()
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, _nothing)
        _background.add(task := loop.create_task(_first_requests(service)))
        task.add_done_callback(_background.discard)
    except Exception as exc:
        logger.debug("warm-up could not prepare the service: %s: %s", type(exc).__name__, exc)


async def _first_requests(service: TranscriptionService) -> None:
    """What a first invocation would otherwise wait for: the first tokens (the credentials cache
    them), a connection to each service (kept alive for the first request), the containers'
    check (once per store; an invocation arriving meanwhile waits for it). Speech is reached with
    the deep health check's audio-free request, so a wrong endpoint or credential is logged at
    start-up; the invocations meet any failure again and report it."""
    settings = service.settings

    async def speech() -> None:
        await service.speech.prepare()
        await service.speech.check_access(CHECK_TIMEOUT_S)

    async def storage() -> None:
        await service.store.ensure_containers(settings.containers, create=settings.create_containers)

    for outcome, name in zip(
        await asyncio.gather(speech(), storage(), return_exceptions=True), ("Speech", "storage"), strict=True
    ):
        if isinstance(outcome, Exception):
            logger.warning("start-up check: %s not reachable yet: %s", name, outcome)


def _nothing() -> None:
    return None


def _warm_sdk_models(settings: Settings) -> None:
    """The SDK's models work out their fields' (de)serialisers on first use: do that here."""
    from azure.ai.transcription.models import TranscriptionContent

    from transcriber.adapters.audio_payload import AudioPayload
    from transcriber.adapters.speech_models import transcription_options

    definition = transcription_options(settings.defaults)
    TranscriptionContent(definition=definition, audio=("audio", AudioPayload(b""))).as_dict()
    definition.as_dict(exclude_readonly=True)
