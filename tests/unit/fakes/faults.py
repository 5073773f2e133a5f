"""A fault plan: raise a given error on the Nth call of a named operation, without patching.

Every fake asks its plan before each operation it serves (the request never reached the
service) and after it (`after=True`: the service acted, the reply was lost), naming the blob or
queue it concerns; a fault with a `spare` test is dropped, unfired, on a call whose subject passes it.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

ErrorSource = BaseException | Callable[[], BaseException]


@dataclass(frozen=True)
class Fault:
    operation: str
    call: int  # 1-based, counted over the plan's life
    error: ErrorSource
    after: bool = False
    spare: Callable[[str], bool] | None = None


@dataclass
class FaultPlan:
    """Counts calls per operation and raises the planned errors; `injected` lists what fired."""

    calls: Counter[str] = field(default_factory=Counter)
    injected: list[Fault] = field(default_factory=list)
    _planned: list[Fault] = field(default_factory=list)

    def on_call(
        self,
        operation: str,
        call: int,
        error: ErrorSource,
        *,
        after: bool = False,
        spare: Callable[[str], bool] | None = None,
    ) -> None:
        """Raise `error` on the `call`th call of `operation` (counted from the plan's start)."""
        self._planned.append(Fault(operation, call, error, after, spare))

    def next_calls(self, operation: str, error: ErrorSource, *, times: int = 1, after: bool = False) -> None:
        """Raise `error` on the next `times` calls of `operation`."""
        for offset in range(1, times + 1):
            self.on_call(operation, self.calls[operation] + offset, error, after=after)

    def begin(self, operation: str, subject: str = "") -> None:
        self.calls[operation] += 1
        self._fire(operation, subject, after=False)

    def end(self, operation: str, subject: str = "") -> None:
        self._fire(operation, subject, after=True)

    def _fire(self, operation: str, subject: str, *, after: bool) -> None:
        call = self.calls[operation]
        for fault in self._planned:
            if (fault.operation, fault.call, fault.after) == (operation, call, after):
                self._planned.remove(fault)
                if fault.spare is not None and fault.spare(subject):
                    return
                self.injected.append(fault)
                error = fault.error
                raise copy.copy(error) if isinstance(error, BaseException) else error()
