"""Everything one emulator instance shares between its routes, its server and its owner."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from devtools.speech_emulator.auth import AuthKind, authenticate
from devtools.speech_emulator.batch.jobs import BatchJobs
from devtools.speech_emulator.config import EmulatorConfig
from devtools.speech_emulator.engines import Engine
from devtools.speech_emulator.faults import FaultPlan
from devtools.speech_emulator.journal import Journal
from devtools.speech_emulator.quota import QuotaLimit, Quotas

__all__ = ["EmulatorState"]


@dataclass
class EmulatorState:
    """The config, the effective key, the engine, the per-instance faults, quotas and journal, and
    the batch jobs with the secret that signs their result-file links."""

    config: EmulatorConfig
    key: str
    engine: Engine
    faults: FaultPlan = field(default_factory=FaultPlan)
    journal: Journal = field(default_factory=Journal)
    quotas: Quotas = field(default_factory=Quotas)
    batch: BatchJobs = field(init=False)
    content_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def __post_init__(self) -> None:
        self.batch = BatchJobs(self.config.batch_hour_seconds)
        self.reset_quotas()

    def authenticate(self, headers: Mapping[str, str]) -> AuthKind:
        """The request's credential as this instance accepts it (`auth.authenticate`), or its 401/403."""
        config = self.config
        return authenticate(
            headers,
            key=self.key,
            refuse_keys=config.refuse_keys,
            https=config.https,
            audience=config.audience,
        )

    def reset_quotas(self) -> None:
        """The config's quotas again, with full buckets."""
        config = self.config
        for scope, rpm, burst in (
            ("transcribe", config.quota_rpm, config.quota_burst),
            ("batch", config.batch_quota_rpm, config.batch_quota_burst),
        ):
            self.quotas.set(scope, None if rpm is None else QuotaLimit.of(rpm, burst))
