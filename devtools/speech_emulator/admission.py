"""The quota check at the door of every Speech route, before a request's body is parsed.

Only a request whose credential the resource accepts counts against its quota (one refused for
its key or token is answered 401 further on and takes no token). A throttled request's body is
read and thrown away, never parsed or decoded, so the answer is cheap and the client reads a 429
rather than a connection reset halfway through its upload.
"""

from __future__ import annotations

import contextlib

from starlette.requests import ClientDisconnect, Request

from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.journal import JournalEntry
from devtools.speech_emulator.state import EmulatorState

__all__ = ["admit"]


async def admit(request: Request, state: EmulatorState, scope: str, entry: JournalEntry) -> None:
    """Take a token of `scope`'s quota for this request, or raise its 429 (journaled as throttled)."""
    try:
        state.authenticate(request.headers)
    except ServiceError:
        return
    refusal = state.quotas.admit(scope)
    if refusal is None:
        return
    entry.throttled = True
    with contextlib.suppress(ClientDisconnect):
        async for _ in request.stream():
            pass
    raise refusal
