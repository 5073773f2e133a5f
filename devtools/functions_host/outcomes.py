"""What the host reports: indexed functions and what became of a blob event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devtools.functions_host.invocation import InvocationResult


@dataclass(frozen=True)
class FunctionInfo:
    """One indexed function as the runtime reported it."""

    name: str
    function_id: str
    raw_bindings: tuple[dict[str, Any], ...]
    metadata: Any = field(repr=False)

    @property
    def trigger(self) -> dict[str, Any]:
        return next(b for b in self.raw_bindings if b["type"].endswith("Trigger"))


@dataclass(frozen=True)
class BlobDelivery:
    """What became of one blob event: `succeeded`, `poisoned`, `gone` (deleted before it could
    be invoked), `superseded` (a newer version replaced it between tries) or `unmatched`."""

    container: str
    name: str
    status: str
    invocations: tuple[InvocationResult, ...] = ()
    poison_message: dict[str, Any] | None = None

    @property
    def attempts(self) -> int:
        return len(self.invocations)

    @property
    def errors(self) -> list[str | None]:
        return [invocation.error for invocation in self.invocations]

    @property
    def logs(self) -> list[Any]:
        return [log for invocation in self.invocations for log in invocation.logs]
