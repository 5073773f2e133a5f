"""Child processes that cannot outlive their owner: local emulators must never be orphaned.

`spawn` puts the child in its own session (process group), so `stop` can signal everything it
started, and on Linux sets PR_SET_PDEATHSIG so the kernel SIGKILLs the child when the thread
that spawned it dies, even if the owner is SIGKILLed and no teardown runs. An atexit hook stops
whatever is still running at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["spawn", "stop"]

_PR_SET_PDEATHSIG = 1
# Loaded in the parent: the child must not dlopen between fork and exec.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
_RUNNING: set[subprocess.Popen[str]] = set()


def _die_with_parent() -> None:
    """Runs in the child between fork and exec."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(args: Sequence[str], *, cwd: str | Path) -> subprocess.Popen[str]:
    """Start `args` in a new process group, stdout and stderr merged into one text pipe.

    Call it from a long-lived thread (pytest's main thread is): the parent-death signal
    follows the spawning thread, not the process.
    """
    process = subprocess.Popen(
        list(args),
        cwd=cwd,
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


def stop(process: subprocess.Popen[str], timeout: float = 5.0) -> int:
    """SIGTERM the group, SIGKILL it after `timeout` (and sweep stragglers); return the exit code."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        logger.warning("pid %d ignored SIGTERM for %.1f s; killing it", process.pid, timeout)
    _signal_group(process.pid, signal.SIGKILL)
    code = process.wait()
    _RUNNING.discard(process)
    return code


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@atexit.register
def _stop_all() -> None:
    """Last line of defence when an owner forgot `stop()` (e.g. an interrupted session)."""
    for process in list(_RUNNING):
        stop(process, timeout=2.0)
