"""One worker per blob version: a claim is a small blob created with `If-None-Match: *`.

Concurrent deliveries of one version race to create `claims/<name key>/<etag>.json` in the
failures container; Azure lets exactly one create succeed (409 for the rest), so one Speech
call is made. Not a lease on the user's blob: that would block their next upload. A claim
older than the function timeout has no live holder (the host ends every invocation by then)
and is taken over with an `If-Match` replace, which again only one contender wins. The holder
deletes it (`If-Match` its etag) once the outcome is written; the others poll meanwhile
(`poll_seconds`), so a holder that died is replaced within the timeout.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from transcriber.blob_names import name_key
from transcriber.service import Invocation, TranscriptionService
from transcriber.storage import BlobInfo, ConditionNotMetError

logger = logging.getLogger(__name__)
CLAIMS_PREFIX = "claims/"


@dataclass(frozen=True)
class Claim:
    """A held claim: its blob, that blob's etag, and whether it was taken over from a stale holder."""

    name: str
    etag: str
    took_over: bool = False


def claim_name(info: BlobInfo) -> str:
    """Fixed length, with no name data in it, under a prefix no failure record name has."""
    return f"{CLAIMS_PREFIX}{name_key(info.name)}/{info.etag}.json"


async def acquire(service: TranscriptionService, info: BlobInfo, invocation: Invocation) -> Claim | None:
    """The claim for this blob version, or None when a live holder has it."""
    store, container = service.store, service.settings.failures_container
    owner = uuid.uuid4().hex
    body = json.dumps(
        {
            "owner": owner,
            "invocationId": invocation.invocation_id,
            "claimedAt": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "source": {"container": info.container, "etag": info.etag},
        }
    )
    name = claim_name(info)
    for _ in range(3):  # created, or held, or released between our create and our read
        try:
            return Claim(name, await store.write(container, name, body, "application/json", if_absent=True))
        except ConditionNotMetError:
            pass
        found = await store.read_record(container, name)
        if found is None:
            continue
        record, etag, modified = found
        if record.get("owner") == owner:  # our own create, whose first reply was lost and retried
            return Claim(name, etag)
        age = datetime.now(UTC) - modified
        if age < timedelta(seconds=service.settings.claim_timeout_seconds):
            return None
        try:
            taken = await store.write(container, name, body, "application/json", if_etag=etag)
        except ConditionNotMetError:
            return None  # another delivery took it over first
        logger.warning("took over a stale claim (%.0f s old) on a blob version", age.total_seconds())
        return Claim(name, taken, took_over=True)
    return None


def poll_seconds(claim_timeout_seconds: int) -> float:
    """How long a waiting delivery sleeps between looks: short, jittered, well inside the timeout."""
    return min(2.0, claim_timeout_seconds / 4) * random.uniform(0.5, 1.0)


async def release(service: TranscriptionService, claim: Claim) -> None:
    """Delete the claim unless someone took it over; a failure only delays the next delivery."""
    try:
        await service.store.delete(service.settings.failures_container, claim.name, if_etag=claim.etag)
    except Exception as exc:  # the outcome is written: a leftover claim goes stale and is taken over
        logger.warning("could not release a claim: %s", getattr(exc, "message", type(exc).__name__))
