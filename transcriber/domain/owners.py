"""Who owns a job or an upload, and who may see it.

With function keys the app has one tenant: every key holder is the owner `"key"` and sees
everything. With Entra ID each caller is `"entra:<tenant id>/<object id>"` and sees only what it
submitted, unless it holds the admin role. A job or grant with no owner (a blob event's job, a
backfill, a record older than owners) is seen only by those who see everything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from transcriber.domain.names import name_key

KEY_OWNER = "key"
ENTRA_PREFIX = "entra:"
OWNERS_PREFIX = "owners/"  # the owner index: owners/<owner key>/<inverted time>-<job id>
ALL_OWNERS = "all"  # owners/all/...: every job, for those who see everything
GRANTS_PREFIX = "grants/"  # grants/<name key>.json: who uploaded a blob through /api/uploads


@dataclass(frozen=True)
class Caller:
    """An HTTP caller as the app knows it: the owner it records, and whether it sees everything."""

    owner: str
    sees_all: bool

    def may_see(self, owner: str | None) -> bool:
        return self.sees_all or (owner is not None and owner == self.owner)


KEY_CALLER = Caller(KEY_OWNER, sees_all=True)


def entra_owner(tenant_id: str, object_id: str) -> str:
    return f"{ENTRA_PREFIX}{tenant_id}/{object_id}"


def owner_key(owner: str) -> str:
    """A fixed-length storage-safe key for an owner (its identifiers never appear in a blob name)."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]


def owner_prefix(owner: str | None) -> str:
    """The owner index's prefix: one owner's jobs, or (None) every job."""
    return f"{OWNERS_PREFIX}{ALL_OWNERS if owner is None else owner_key(owner)}/"


def grant_name(blob: str) -> str:
    return f"{GRANTS_PREFIX}{name_key(blob)}.json"
