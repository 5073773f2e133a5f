"""What each blob version ended with, read back from storage, and the run's figures."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from azure.storage.blob import BlobServiceClient

from tests.fixtures.storage import BlobContainers
from tests.stress.chaos.population import ChaosBlob
from transcriber.domain.names import name_key

FORMATS = ("json", "txt", "srt", "vtt")


@dataclass
class Verdict:
    """One blob version: its transcript set and/or failure record, and how many of each."""

    blob: ChaosBlob
    etag: str | None
    transcript: bool = False
    partial_outputs: bool = False
    record: dict[str, Any] | None = None

    @property
    def final_record(self) -> bool:
        return bool(self.record and self.record.get("final") and self._same_version(self.record))

    @property
    def outcome(self) -> str:
        """exactly-one, both, or lost (no outcome, an unfinished record, or a partial set)."""
        if self.transcript and self.record is not None:
            return "both"
        if self.transcript and not self.partial_outputs:
            return "exactly-one"
        if self.final_record and not self.transcript and not self.partial_outputs:
            return "exactly-one"
        return "lost"

    def _same_version(self, record: dict[str, Any]) -> bool:
        return self.blob.kind == "hostile" or record.get("source", {}).get("etag") == self.etag


@dataclass
class Figures:
    """The run's figures, printed at the end of the session."""

    seed: int
    versions: int
    outcomes: Counter[str]
    speech_successes_per_version: float
    speech_requests_per_version: float
    most_successes_for_one_version: int
    faults: Counter[str]
    duplicates: int
    deliveries: Counter[str]
    claims_left: int
    restart_seconds: float
    seconds: float
    queue_runs: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        exactly = self.outcomes["exactly-one"]
        return [
            f"chaos seed={self.seed} (rerun: CHAOS_SEED={self.seed})",
            f"blob versions: {self.versions}; duplicate deliveries: {self.duplicates}; "
            f"Azurite restarted once ({self.restart_seconds:.1f} s down)",
            f"exactly-one outcomes: {100 * exactly / max(1, self.versions):.2f}% ({exactly}/{self.versions}); "
            f"lost: {self.outcomes['lost']}; both: {self.outcomes['both']}",
            f"Speech calls per blob version sent to Speech: {self.speech_successes_per_version:.3f} answered, "
            f"{self.speech_requests_per_version:.3f} requests with faults; at most "
            f"{self.most_successes_for_one_version} answered for one version",
            "faults injected: " + ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items())),
            "host deliveries: " + ", ".join(f"{kind} {n}" for kind, n in sorted(self.deliveries.items())),
            "jobs-queue runs (deferred versions back): "
            + (", ".join(f"{kind} {n}" for kind, n in sorted(self.queue_runs.items())) or "none"),
            f"claims kept (a version's mark once claimed): {self.claims_left}; run took {self.seconds:.1f} s",
            *self.details[:20],
        ]


def verdicts(
    storage: BlobServiceClient, containers: BlobContainers, blobs: list[ChaosBlob], etags: dict[str, str]
) -> tuple[list[Verdict], int]:
    """Every blob's verdict, and how many claims were left in the failures container."""
    transcripts = {
        b.name: b.metadata
        for b in storage.get_container_client(containers.transcripts).list_blobs(include=["metadata"])
    }
    failures = storage.get_container_client(containers.failures)
    records: dict[str, dict[str, Any]] = {}
    claims = 0
    for item in failures.list_blobs():
        if item.name.startswith("claims/"):
            claims += 1
        else:
            records[item.name] = json.loads(failures.download_blob(item.name).readall())
    result = []
    for blob in blobs:
        etag = etags.get(blob.name)
        verdict = Verdict(blob, etag)
        if blob.kind == "hostile":
            verdict.record = records.get(f"invalid/{name_key(blob.name)}.json")
        else:
            meta = transcripts.get(f"{blob.name}.json")
            verdict.transcript = bool(meta) and meta.get("sourceetag") == etag
            verdict.partial_outputs = verdict.transcript != all(
                f"{blob.name}.{f}" in transcripts for f in FORMATS
            )
            verdict.partial_outputs |= not verdict.transcript and any(
                f"{blob.name}.{f}" in transcripts for f in FORMATS
            )
            verdict.record = records.get(f"failed/{blob.name}.json")
        result.append(verdict)
    return result, claims
