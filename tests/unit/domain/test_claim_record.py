"""Claims' JSON: the three bodies the app writes, read and written key for key as before."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.domain.record_documents import ordered, texts, timestamps
from transcriber.domain.claim_record import HELD, RELEASED, ClaimRecord

source = ordered({"container": texts, "etag": texts})
by_delivery = ordered(
    {
        "owner": texts,
        "state": st.just(HELD),
        "invocationId": st.none() | texts,
        "claimedAt": timestamps,
        "source": source,
    }
)
by_job = ordered(
    {
        "owner": texts,
        "state": st.just(HELD),
        "job": texts,
        "claimedAt": timestamps,
        "staleAfterSeconds": st.integers(min_value=0, max_value=10**7),
        "source": source,
    }
)
released = ordered({"state": st.just(RELEASED), "releasedAt": timestamps})


def test_a_delivery_claim_is_written_byte_for_byte_as_before() -> None:
    record = ClaimRecord(
        HELD,
        owner="ab" * 16,
        invocation_id=None,
        claimed_at="2026-12-07T01:02:03.456+00:00",
        source_container="audio",
        source_etag="0x8DC",
    )
    before = {  # the writer's literal, as it was (an invocation id may be null)
        "owner": "ab" * 16,
        "state": "held",
        "invocationId": None,
        "claimedAt": "2026-12-07T01:02:03.456+00:00",
        "source": {"container": "audio", "etag": "0x8DC"},
    }
    assert json.dumps(record.to_json()) == json.dumps(before)


def test_a_claim_names_its_batch_job_only_when_the_job_is_a_string() -> None:
    assert ClaimRecord.from_json({"state": HELD, "job": "cd" * 16}).job == "cd" * 16
    assert ClaimRecord.from_json({"state": HELD, "job": 7}).job is None
    assert ClaimRecord.from_json({}).state is None


@given(by_delivery | by_job | released)
def test_every_claim_as_written_reads_back_to_the_same_json(document: dict[str, Any]) -> None:
    again = ClaimRecord.from_json(document).to_json()
    assert again == document and list(again) == list(document)


@given(st.one_of(by_delivery, by_job, released).map(ClaimRecord.from_json))
def test_every_claim_survives_its_json(record: ClaimRecord) -> None:
    assert ClaimRecord.from_json(json.loads(json.dumps(record.to_json()))) == record
