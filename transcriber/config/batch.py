"""Settings of batch transcription, the route for audio over fast transcription's limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from transcriber.config.values import boolean, integer
from transcriber.domain.setting_names import (
    BATCH_ENABLED,
    BATCH_MAX_WAIT,
    BATCH_POLL_INITIAL,
    BATCH_POLL_MAX,
    BATCH_SAS_LIFETIME,
    MAX_DELEGATION_HOURS,
)


@dataclass(frozen=True)
class BatchSettings:
    """Batch transcription (transcriber.flows.batch)."""

    enabled: bool = True
    sas_lifetime_hours: int = 1
    max_wait_hours: int = 48
    poll_initial_seconds: int = 30
    poll_max_seconds: int = 900


def read_batch(env: Mapping[str, str]) -> BatchSettings:
    initial = integer(env, BATCH_POLL_INITIAL, 30, minimum=1, maximum=3600)
    return BatchSettings(
        enabled=bool(boolean(env, BATCH_ENABLED, default=True)),
        # As short as the looks allow (transcriber.flows.batch.schedule, docs/ARCHITECTURE.md): the
        # service starts within 30 minutes at peak, a look comes at most BATCH_POLL_MAX_SECONDS
        # (15 min) later and renews a SAS 10 min before its end: 55 min, so 1 h. Within its key's
        # 7 days, with room for the key's margin (transcriber.adapters.blob_store).
        sas_lifetime_hours=integer(env, BATCH_SAS_LIFETIME, 1, minimum=1, maximum=MAX_DELEGATION_HOURS - 1),
        max_wait_hours=integer(env, BATCH_MAX_WAIT, 48, minimum=1, maximum=MAX_DELEGATION_HOURS),
        poll_initial_seconds=initial,
        # at least one look a day: the wait's end and a SAS's end stay in sight
        poll_max_seconds=integer(env, BATCH_POLL_MAX, max(900, initial), minimum=initial, maximum=24 * 3600),
    )
