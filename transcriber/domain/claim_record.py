"""A claim's JSON: who holds a blob version (`claims/<name key>/<etag>.json`), or that it was released.

    held by a delivery: {"owner", "state": "held", "invocationId", "claimedAt", "source"}
    held by a batch job: {"owner", "state": "held", "job", "claimedAt", "staleAfterSeconds", "source"}
    held by a deferral:  {"owner", "state": "held", "claimedAt", "staleAfterSeconds", "source",
                          "deferredUntil", "deferredSince", "deferrals", "deferredFor"}
    released:           {"state": "released", "releasedAt"}

`source` is {"container", "etag"} of the version; the blob's name is in the claim's own name.
A deferral keeps the claim for the version's queue message, which names its owner; `deferredFor`
says why: "busy" (Speech), "budget" (its payer's audio budget is spent; absent in older claims: busy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HELD, RELEASED = "held", "released"


@dataclass(frozen=True)
class ClaimRecord:
    """One claim's body. A delivery's claim always names its invocation (null when none was given)."""

    state: str | None
    owner: str | None = None
    invocation_id: str | None = None
    job: str | None = None
    claimed_at: str | None = None
    stale_after_seconds: int | None = None
    source_container: str | None = None
    source_etag: str | None = None
    released_at: str | None = None
    deferred_until: str | None = None
    deferred_since: str | None = None
    deferrals: int | None = None
    deferred_for: str | None = None  # "busy" or "budget" (transcriber.flows.deferral)

    @property
    def held_by_delivery(self) -> bool:
        return self.owner is not None and self.job is None and self.deferred_until is None

    @property
    def deferred(self) -> bool:
        """Held for a deferred version's queue message (`transcriber.flows.deferral`)."""
        return self.state == HELD and self.deferred_until is not None

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> ClaimRecord:
        job, source = document.get("job"), document.get("source")
        source = source if isinstance(source, Mapping) else {}
        return cls(
            state=document.get("state"),
            owner=document.get("owner"),
            invocation_id=document.get("invocationId"),
            job=job if isinstance(job, str) else None,
            claimed_at=document.get("claimedAt"),
            stale_after_seconds=document.get("staleAfterSeconds"),
            source_container=source.get("container"),
            source_etag=source.get("etag"),
            released_at=document.get("releasedAt"),
            deferred_until=document.get("deferredUntil"),
            deferred_since=document.get("deferredSince"),
            deferrals=document.get("deferrals"),
            deferred_for=document.get("deferredFor"),
        )

    def to_json(self) -> dict[str, Any]:
        document = {
            key: value for key, value in (("owner", self.owner), ("state", self.state)) if value is not None
        }
        if self.held_by_delivery:
            document["invocationId"] = self.invocation_id
        optional = {
            "job": self.job,
            "claimedAt": self.claimed_at,
            "staleAfterSeconds": self.stale_after_seconds,
            "source": (
                {"container": self.source_container, "etag": self.source_etag}
                if self.source_container is not None or self.source_etag is not None
                else None
            ),
            "releasedAt": self.released_at,
            "deferredUntil": self.deferred_until,
            "deferredSince": self.deferred_since,
            "deferrals": self.deferrals,
            "deferredFor": self.deferred_for,
        }
        document.update((key, value) for key, value in optional.items() if value is not None)
        return document
