"""Failure records: read and written as the failure writer always wrote them, key for key."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.domain.record_documents import blob_infos, errors, ordered, subsets, texts, timestamps
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import UnsupportedMediaError
from transcriber.domain.failure_record import BlobName, FailureRecord, RecordedError

INFO = BlobInfo("audio", "meeting.wav", "0x8DC", 1234, "audio/wav")


def written(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def test_a_failure_is_written_byte_for_byte_as_before() -> None:
    error = UnsupportedMediaError("not audio: ünïcode")
    record = FailureRecord(
        RecordedError.of(error), error.transient, 2, True, INFO, "2026-12-07T01:02:03.456Z"
    )
    before = {  # the writer's literal, as it was
        "error": {"code": error.code, "message": error.message},
        "transient": error.transient,
        "attempts": 2,
        "final": True,
        "source": INFO.as_record(),
        "failedAt": "2026-12-07T01:02:03.456Z",
    }
    assert written(record.to_json()) == written(before)


def test_a_refused_name_keeps_only_its_container_and_name() -> None:
    document = {
        "error": {"code": "InvalidBlobName", "message": "no"},
        "transient": False,
        "attempts": 1,
        "final": True,
        "source": {"container": "audio", "name": "a\\x00b"},
        "failedAt": "2026-12-07T01:02:03.456Z",
    }
    record = FailureRecord.from_json(document)
    assert record.source == BlobName("audio", "a\\x00b") and record.source_etag is None
    assert written(record.to_json()) == written(document)


def test_a_record_of_another_version_or_not_final_is_not_that_versions_outcome() -> None:
    record = FailureRecord(final=True, source=INFO)
    assert record.is_final_for(INFO.etag)
    assert not record.is_final_for("0xOTHER")
    assert not FailureRecord(final=False, source=INFO).is_final_for(INFO.etag)
    assert not FailureRecord.from_json({}).is_final_for(INFO.etag)


sources = blob_infos.map(BlobInfo.as_record) | ordered({"container": texts, "name": texts})
documents = ordered(
    {
        "error": errors,
        "transient": st.booleans(),
        "attempts": st.integers(min_value=1, max_value=100),
        "final": st.booleans(),
        "source": sources,
        "failedAt": timestamps,
    }
).flatmap(subsets)


@given(documents)
def test_every_document_as_written_or_older_reads_back_to_the_same_json(document: dict[str, Any]) -> None:
    again = FailureRecord.from_json(document).to_json()
    assert again == document and list(again) == list(document)


records = st.builds(
    FailureRecord,
    error=st.none() | st.builds(RecordedError, texts, texts),
    transient=st.none() | st.booleans(),
    attempts=st.none() | st.integers(min_value=0),
    final=st.none() | st.booleans(),
    source=st.none() | blob_infos | st.builds(BlobName, texts, texts),
    failed_at=st.none() | timestamps,
)


@given(records)
def test_every_record_survives_its_json(record: FailureRecord) -> None:
    assert FailureRecord.from_json(json.loads(written(record.to_json()))) == record
