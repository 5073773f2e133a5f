"""Everything the worker logs, as RpcLog messages, attributed to the invocation that logged it.

The proxy worker puts one handler on the root logger (level INFO, DEBUG with
PYTHON_ENABLE_DEBUG_LOGGING) and sends each record to the host with the current invocation's
id. Here an invocation's id lives in a context variable set around its task (async functions
and every task or `to_thread` they start inherit it) or, for sync functions, in the runtime's
own `invocation_id_cv`, which it sets on the thread-pool thread.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import defaultdict, deque
from types import ModuleType

import azure_functions_runtime

current_invocation: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "functions_host_invocation", default=None
)
SYSTEM_PREFIXES = ("azure_functions_runtime", "azure.functions", "azure_functions_worker")
UNATTRIBUTED_KEPT = 2000  # records outside any invocation (start-up, the caller's own clients)


def _level(protos: ModuleType, levelno: int) -> int:
    for threshold, name in (
        (50, "Critical"),
        (40, "Error"),
        (30, "Warning"),
        (20, "Information"),
        (10, "Debug"),
    ):
        if levelno >= threshold:
            return getattr(protos.RpcLog, name)
    return getattr(protos.RpcLog, "None")


class RpcLogCollector(logging.Handler):
    """Root-logger handler that keeps each record as an RpcLog, per invocation id."""

    def __init__(self, protos: ModuleType) -> None:
        super().__init__(logging.NOTSET)
        self._protos = protos
        self._lock = threading.Lock()
        self._logs: dict[str, list] = defaultdict(list)
        self._unattributed: deque = deque(maxlen=UNATTRIBUTED_KEPT)
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        invocation_id = current_invocation.get() or azure_functions_runtime.invocation_id_cv.get()
        protos = self._protos
        category = protos.RpcLog.System if record.name.startswith(SYSTEM_PREFIXES) else protos.RpcLog.User
        try:
            message = self.format(record)
        except Exception:  # a bad format string must not break the invocation, as in the worker
            message = str(record.msg)
        log = protos.RpcLog(
            invocation_id=invocation_id or "",
            category=record.name,
            level=_level(protos, record.levelno),
            message=message,
            log_category=category,
        )
        with self._lock:
            (self._logs[invocation_id] if invocation_id else self._unattributed).append(log)

    def take(self, invocation_id: str | None) -> list:
        """The logs of one invocation (None: start-up and unattributed), removed from the store."""
        with self._lock:
            if invocation_id is None:
                logs, self._unattributed = list(self._unattributed), deque(maxlen=UNATTRIBUTED_KEPT)
                return logs
            return self._logs.pop(invocation_id, [])
