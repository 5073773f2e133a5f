"""Child processes that answer before they are used and never outlive their owner.

`spawn` puts the child in its own session (process group), so `stop` can signal everything it
started, and on Linux sets PR_SET_PDEATHSIG so the kernel SIGKILLs the child when the thread
that spawned it dies, even if the owner is SIGKILLed and no teardown runs; an atexit hook stops
whatever is still running. `ChildService` keeps the child's recent output and waits until a
readiness check passes, failing with that output.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import ctypes
import logging
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["ChildService", "ServiceError", "answers_http", "answers_tcp"]

_PR_SET_PDEATHSIG = 1
# Loaded in the parent: the child must not dlopen between fork and exec.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
_RUNNING: set[subprocess.Popen[str]] = set()


class ServiceError(RuntimeError):
    """A local service exited or did not answer in time; the message carries its recent output."""


def _die_with_parent() -> None:
    """Runs in the child between fork and exec."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(
    args: Sequence[str], *, cwd: str | Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start `args` in a new process group, stdout and stderr merged into one text pipe.

    Call it from a long-lived thread (pytest's main thread is): the parent-death signal
    follows the spawning thread, not the process.
    """
    process = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_die_with_parent if _LIBC is not None else None,
    )
    _RUNNING.add(process)
    logger.debug("spawned pid %d: %s", process.pid, " ".join(args))
    return process


def stop(process: subprocess.Popen[str], timeout: float = 5.0, sig: int = signal.SIGTERM) -> int:
    """Send `sig` to the group, SIGKILL it after `timeout` (and sweep stragglers); return the exit code."""
    _signal_group(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        logger.warning("pid %d ignored signal %d for %.1f s; killing it", process.pid, sig, timeout)
    _signal_group(process.pid, signal.SIGKILL)
    code = process.wait()
    _RUNNING.discard(process)
    return code


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@atexit.register
def _stop_all() -> None:
    """Last line of defence when an owner forgot `stop()` (e.g. an interrupted session)."""
    for process in list(_RUNNING):
        stop(process, timeout=2.0)


def answers_tcp(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts connections on `host:port`."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def answers_http(url: str, context: ssl.SSLContext | None = None, timeout: float = 2.0) -> bool:
    """Whether `url` gets an HTTP answer: any status (even 403 for no credentials) proves a server."""
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError as exc:
        logger.debug("not answering yet at %s: %s", url, exc)
        return False


class ChildService:
    """A `spawn`ed child whose output a thread keeps (the last `log_lines`; None keeps all).

    Each line goes to `output_logger` at DEBUG and to `on_line` (settable while it runs), e.g.
    to learn a port the child reports or to echo its output. Use as a context manager or call `start()`, `wait_until()`, `stop()`.
    """

    def __init__(
        self,
        name: str,
        args: Sequence[str],
        *,
        cwd: str | Path,
        env: Mapping[str, str] | None = None,
        log_lines: int | None = 2000,
        on_line: Callable[[str], None] | None = None,
        output_logger: logging.Logger = logger,
    ) -> None:
        self.name = name
        self.output_logger = output_logger
        self.args = list(args)
        self.cwd = cwd
        self.env = env
        self.on_line = on_line
        self._output: collections.deque[str] = collections.deque(maxlen=log_lines)
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def process(self) -> subprocess.Popen[str]:
        if self._process is None:
            raise ServiceError(f"{self.name} is not running")
        return self._process

    @property
    def pid(self) -> int | None:
        """Process id (= process group id) while running."""
        return self._process.pid if self._process is not None else None

    def log(self) -> str:
        """The child's recent output."""
        return "".join(self._output)

    def start(self) -> ChildService:
        if self._process is not None:
            raise ServiceError(f"{self.name} already started")
        self._process = spawn(self.args, cwd=self.cwd, env=self.env)
        self._reader = threading.Thread(target=self._read, name=f"{self.name}-output", daemon=True)
        self._reader.start()
        return self

    def wait_until(self, ready: Callable[[], bool], timeout: float, interval: float = 0.05) -> None:
        """Return once `ready()` holds; `ServiceError` with the output if the child exits first
        or `timeout` seconds pass."""
        process = self.process
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None:
                if self._reader is not None:
                    self._reader.join(5)  # all of its output, then one last look
                if ready():
                    return
                raise ServiceError(f"{self.name} exited with code {process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise ServiceError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log()}")
            time.sleep(interval)

    def wait_for_output(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first match of `pattern` in the output, once printed (see `wait_until`)."""
        found: list[re.Match[str]] = []

        def printed() -> bool:
            match = re.search(pattern, self.log())
            found[:] = [match] if match else []
            return bool(found)

        self.wait_until(printed, timeout)
        return found[0]

    def stop(self, timeout: float = 5.0, sig: int = signal.SIGTERM) -> int | None:
        """`sig` to its process group, SIGKILL after `timeout`; the exit code. Safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return None
        code = stop(process, timeout, sig)
        if self._reader is not None:
            self._reader.join(timeout)
            self._reader = None
        return code

    def __enter__(self) -> ChildService:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            self._output.append(line)
            self.output_logger.debug("%s: %s", self.name, line.rstrip())
            if self.on_line is not None:
                self.on_line(line)
        process.stdout.close()
