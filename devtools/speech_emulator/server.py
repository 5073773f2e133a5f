"""Run an emulator: in a background thread for tests and tools, or in the foreground for the CLI.

The listening socket is bound before uvicorn starts, so port 0 gives an OS-assigned free port
that is known (and reserved) at once; start-up and stop are `devtools.local_services.UvicornThread`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Iterator
from types import TracebackType

import uvicorn

from devtools.local_services import ServiceError, UvicornThread, listening_socket, port_of
from devtools.speech_emulator.app import build_app
from devtools.speech_emulator.batch.jobs import BatchJob, JobScript
from devtools.speech_emulator.config import EmulatorConfig
from devtools.speech_emulator.engines import create_engine
from devtools.speech_emulator.errors import EmulatorError
from devtools.speech_emulator.faults import FaultPlan
from devtools.speech_emulator.journal import Journal, JournalEntry
from devtools.speech_emulator.quota import QuotaLimit, Quotas
from devtools.speech_emulator.state import EmulatorState

logger = logging.getLogger(__name__)

__all__ = ["EmulatorStartError", "RunningEmulator", "running_emulator"]

# Requests still running this long after stop() began are cut off.
_ABORT_AFTER_SECONDS = 0.5


class EmulatorStartError(EmulatorError):
    """The emulator did not start listening in time."""


class _Server(uvicorn.Server):
    """uvicorn, but connections still open shortly after shutdown begins are aborted.

    A TLS connection closes only after the peer answers close_notify; a client that keeps its
    connection (e.g. held by an exception) never does, which would stall shutdown for the whole
    grace period and leak the socket.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().call_later(_ABORT_AFTER_SECONDS, self._abort_connections)
        await super().shutdown(sockets)

    def _abort_connections(self) -> None:
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()


class RunningEmulator:
    """One emulator instance: its endpoint and key, and the handles tests use (faults, journal)."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        config = config or EmulatorConfig()
        self.config = config
        self.state = EmulatorState(
            config,
            config.key or secrets.token_urlsafe(24),
            create_engine(config.engine, config.decoder_processes, config.echo_text),
        )
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: UvicornThread | None = None

    # What clients need.
    @property
    def key(self) -> str:
        """The accepted subscription key (generated when the config gave none)."""
        return self.state.key

    @property
    def port(self) -> int:
        if self._socket is None:
            raise EmulatorError("the emulator is not bound yet")
        return port_of(self._socket)

    @property
    def endpoint(self) -> str:
        """Base URL for `TranscriptionClient(endpoint=...)`, e.g. `http://127.0.0.1:40123`."""
        scheme = "https" if self.config.https else "http"
        return f"{scheme}://{self.config.host}:{self.port}"

    # What tests steer and inspect.
    @property
    def faults(self) -> FaultPlan:
        return self.state.faults

    @property
    def journal(self) -> Journal:
        return self.state.journal

    @property
    def quotas(self) -> Quotas:
        return self.state.quotas

    def set_quota(self, rpm: int | None, *, burst: int | None = None, scope: str = "transcribe") -> None:
        """Allow `rpm` requests a minute (`burst` at once; default 10 s of the rate) to `scope`
        ("transcribe" or "batch"), beyond which requests get 429 with Retry-After; None lifts it.
        The bucket starts full."""
        self.state.quotas.set(scope, None if rpm is None else QuotaLimit.of(rpm, burst))

    def requests(self) -> list[JournalEntry]:
        """The transcription requests received so far, oldest first."""
        return self.state.journal.entries()

    def fail(
        self, status: int = 503, *, count: int = 1, retry_after: float | None = None, on: tuple[str, ...] = ()
    ) -> None:
        """Answer the next `count` requests with `status` (see `FaultPlan.fail`).

        `on` aims the fault at operations (`transcribe`, `submit`, `status`, `files`, `delete`,
        `content`); by default it hits the next Speech request of any kind.
        """
        self.state.faults.fail(status, count=count, retry_after=retry_after, on=on)

    def delay(self, seconds: float, *, count: int = 1, on: tuple[str, ...] = ()) -> None:
        self.state.faults.delay(seconds, count=count, on=on)

    def drop(self, *, count: int = 1, on: tuple[str, ...] = ()) -> None:
        self.state.faults.drop(count=count, on=on)

    def batch_script(
        self,
        *,
        not_started_polls: int = 0,
        running_polls: int = 0,
        running_seconds: float = 0.0,
        fail_code: str | None = None,
        fail_message: str | None = None,
        count: int = 1,
    ) -> None:
        """Script the next `count` batch jobs: stay NotStarted/Running for extra status polls or
        seconds, or end Failed with `fail_code` (see `batch.jobs.JobScript`)."""
        script = JobScript(not_started_polls, running_polls, running_seconds, fail_code, fail_message)
        self.state.batch.arm(script, count)

    def batch_jobs(self) -> list[BatchJob]:
        """The batch transcriptions submitted and not deleted, oldest first."""
        return self.state.batch.all()

    def reset(self) -> None:
        """Forget the journal, batch jobs and scripts, disarm faults and put the config's quotas
        back with full buckets (between tests)."""
        self.state.faults.clear()
        self.state.reset_quotas()
        self.state.journal.clear()
        self.state.batch.clear()

    # Life cycle.
    def bind(self) -> socket.socket:
        """Bind and listen (port 0: a free one); connections wait in the backlog until serving starts."""
        if self._socket is None:
            try:
                self._socket = listening_socket(self.config.host, self.config.port)
            except OSError as exc:
                raise EmulatorStartError(
                    f"cannot listen on {self.config.host}:{self.config.port}: {exc}"
                ) from exc
        return self._socket

    def server(self) -> uvicorn.Server:
        """The uvicorn server for this emulator (made once)."""
        if self._server is None:
            https = self.config.https
            self._server = _Server(
                uvicorn.Config(
                    build_app(self.state),
                    http="h11",
                    lifespan="off",
                    log_config=None,
                    access_log=False,
                    timeout_graceful_shutdown=3,
                    ssl_certfile=str(self.config.cert_file) if https else None,
                    ssl_keyfile=str(self.config.key_file) if https else None,
                )
            )
        return self._server

    def start(self, timeout: float = 15.0) -> RunningEmulator:
        """Serve from a daemon thread; returns once the emulator accepts connections."""
        sock, server = self.bind(), self.server()
        self.state.engine.warm_up()
        self._thread = UvicornThread(server, sock, name="Speech emulator")
        try:
            self._thread.start(timeout)
        except ServiceError as exc:
            self.stop()
            raise EmulatorStartError(str(exc)) from exc
        logger.info("Speech emulator (%s engine) listening on %s", self.config.engine, self.endpoint)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._server = None

    def __enter__(self) -> RunningEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running_emulator(config: EmulatorConfig | None = None) -> Iterator[RunningEmulator]:
    """`with running_emulator(EmulatorConfig(key="k")) as emu:` -> started, stopped in `finally`."""
    emulator = RunningEmulator(config).start()
    try:
        yield emulator
    finally:
        emulator.stop()
