"""The storage requests of a blob's success path, counted at azure-core's transport (the counter
`make bench` prints with), and the claims that let a fresh version skip every outcome read."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.request_count import RequestCounter
from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.domain.invocation import Invocation
from transcriber.entry.triggers import handle_blob
from transcriber.flows import claims

FRESH_VERSION = Counter(
    {
        "audio read": 1,  # version, size, type and (under 64 KiB) all of the audio, in one ranged GET
        "claim write": 1,  # If-None-Match: *, created: nobody has touched this version
        "txt/srt/vtt write": 3,  # at once, with:
        "failure record delete": 1,  # an earlier version's record, if any
        "JSON write": 1,  # the completion marker, last
        "audio properties": 1,  # deleted meanwhile? (erasure)
    }
)


def _counter(deployed: Deployed) -> RequestCounter:
    host = urlsplit(deployed.storage.url).netloc
    return RequestCounter(host, deployed.containers.audio, deployed.containers.transcripts)


async def _deliver(counter: RequestCounter, name: str) -> str:
    with counter.delivery():
        return (await handle_blob(name, Invocation("transcribe_blob"))).status


async def test_a_new_version_costs_eight_storage_requests_in_five_round_trips(
    deployed: Deployed, corpus: Path
) -> None:
    audio = (corpus / "cards-001.wav").read_bytes()[: 60 * 1024]  # under one ranged read
    deployed.upload("warm.wav", audio)
    deployed.upload("fresh.wav", audio)
    counter = _counter(deployed)
    with counter.installed():
        assert await _deliver(counter, "warm.wav") == "transcribed"  # containers checked once
        counter.clear()
        assert await _deliver(counter, "fresh.wav") == "transcribed"
    assert counter.storage == FRESH_VERSION
    assert counter.trips == [5] and counter.speech == 1
    assert [c["state"] for c in deployed.claims().values()] == ["held", "held"]


async def test_a_duplicate_of_a_finished_version_reads_its_outcome_and_stops(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("twice.wav", (corpus / "cards-001.wav").read_bytes())
    counter = _counter(deployed)
    with counter.installed():
        assert await _deliver(counter, "twice.wav") == "transcribed"
        counter.clear()
        assert await _deliver(counter, "twice.wav") == "skipped"
    assert counter.speech == 0
    assert counter.storage == Counter(
        {"audio read": 1, "claim write": 1, "JSON properties": 1, "failure record read": 1}
    )


async def test_a_version_older_than_the_trusted_window_is_checked_even_without_its_claim(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployed.upload("old.wav", (corpus / "cards-001.wav").read_bytes())
    assert (await deployed.blob_event("old.wav")).status == "succeeded"
    for name in deployed.claims():  # as the lifecycle rule deletes them after claimRetentionDays
        deployed.storage.get_blob_client(deployed.containers.failures, name).delete_blob()
    monkeypatch.setattr(claims, "FRESH_VERSION_WINDOW", timedelta(0))  # the version is "old"
    assert (await deployed.blob_event("old.wav")).status == "succeeded"
    assert len(deployed.speech.requests()) == 1  # its outcome was read: no second Speech call


async def test_a_new_version_after_a_final_failure_removes_the_record_without_reading_it(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("later.wav", b"meeting notes, not audio", "text/plain")
    assert (await deployed.blob_event("later.wav")).status == "succeeded"
    assert deployed.failure_json("later.wav")["final"] is True
    assert [c["state"] for c in deployed.claims().values()] == ["released"]
    deployed.upload("later.wav", (corpus / "cards-001.wav").read_bytes())
    assert (await deployed.blob_event("later.wav")).status == "succeeded"
    assert deployed.failures() == {}
    assert set(deployed.transcripts()) == {f"later.wav.{ext}" for ext in ("json", "txt", "srt", "vtt")}
