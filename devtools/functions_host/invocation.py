"""One invocation's request and its outcome: ids, trace and retry context, logs, result."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


def new_trace_parent() -> str:
    """A sampled W3C traceparent, as the host starts one per invocation."""
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"


@dataclass(frozen=True)
class InvocationResult:
    """What the worker answered for one invocation, with everything it logged meanwhile."""

    function: str
    invocation_id: str
    trace_parent: str
    succeeded: bool
    error: str | None = None
    stack_trace: str = field(default="", repr=False)
    return_value: Any = field(default=None, repr=False)
    logs: tuple[Any, ...] = field(default=(), repr=False)

    def log_messages(self) -> list[str]:
        return [log.message for log in self.logs]


def invocation_request(
    protos: ModuleType,
    function_id: str,
    input_data: list[Any],
    trigger_metadata: dict[str, Any],
    *,
    invocation_id: str | None = None,
    trace_parent: str | None = None,
    trace_state: str = "",
    retry_count: int = 0,
    max_retry_count: int = 0,
) -> Any:
    """An InvocationRequest; the host always sends a trace context and a retry context."""
    return protos.InvocationRequest(
        invocation_id=invocation_id or str(uuid.uuid4()),
        function_id=function_id,
        input_data=input_data,
        trigger_metadata=trigger_metadata,
        trace_context=protos.RpcTraceContext(
            trace_parent=trace_parent or new_trace_parent(), trace_state=trace_state
        ),
        retry_context=protos.RetryContext(retry_count=retry_count, max_retry_count=max_retry_count),
    )
