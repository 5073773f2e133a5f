"""Job records and their batch state: read and written as the job writers always wrote them."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.domain.record_documents import blob_infos, errors, ordered, subsets, texts, timestamps
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.job_record import (
    BATCH_FOLLOW,
    BATCH_RUNNING,
    BATCH_SUBMIT,
    BatchState,
    CallbackState,
    JobRecord,
    SubmitAttempt,
    options_to_json,
)
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.statuses import QUEUED, SUCCEEDED

INFO = BlobInfo("audio", "jobs/" + "ab" * 16 + "/audio", "0x8DC", 1234, "audio/wav")
OPTIONS = TranscriptionRequestOptions(locales=("en-US", "de-DE"), max_speakers=2, profanity="masked")


def written(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def test_an_accepted_job_is_written_byte_for_byte_as_before() -> None:
    record = JobRecord(
        "ab" * 16,
        QUEUED,
        INFO,
        OPTIONS,
        0,
        "2026-12-07T01:02:03.456Z",
        callback_url="https://hooks.example/t",
    )
    record.updated_at = "2026-12-07T01:02:03.789Z"
    before = {  # intake's literal, as it was, then write_job's updatedAt
        "id": "ab" * 16,
        "status": "queued",
        "createdAt": "2026-12-07T01:02:03.456Z",
        "source": INFO.as_record(),
        "options": {"locales": ("en-US", "de-DE"), "max_speakers": 2, "profanity": "masked"},
        "attempts": 0,
        "callbackUrl": "https://hooks.example/t",
        "updatedAt": "2026-12-07T01:02:03.789Z",
    }
    assert written(record.to_json()) == written(before)


def test_a_job_read_and_ended_keeps_its_keys_in_place_and_adds_the_new_ones_after() -> None:
    stored = {
        "id": "cd" * 16,
        "status": "running",
        "createdAt": "2026-12-07T01:02:03.456Z",
        "source": INFO.as_record(),
        "options": {},
        "attempts": 2,
        "updatedAt": "2026-12-07T01:02:04.000Z",
        "error": {"code": "ServiceUnavailable", "message": "503", "retrying": True},
        "aNewerVersionsKey": {"kept": True},
    }
    record = JobRecord.from_json(stored)
    record.status, record.outputs, record.error = SUCCEEDED, ["x.json", "x.txt"], None
    record.audio_removed_at = "2026-12-07T01:02:05.000Z"
    before = {  # what `record.update(status=..., outputs=..., error=None)` and the rest made of the dict
        **stored,
        "status": "succeeded",
        "error": None,
        "outputs": ["x.json", "x.txt"],
        "audioRemovedAt": "2026-12-07T01:02:05.000Z",
    }
    assert written(record.to_json()) == written(before)


def test_a_record_without_its_optional_keys_is_read_as_the_readers_did() -> None:
    record = JobRecord.from_json({"id": "ef" * 16, "status": QUEUED, "source": INFO.as_record()})
    assert record.attempts is None and record.options is None and record.batch is None
    assert record.to_json() == {"id": "ef" * 16, "status": QUEUED, "source": INFO.as_record()}


def test_a_batch_step_adds_its_keys_in_the_order_the_steps_always_did() -> None:
    handed_over = {
        "state": BATCH_SUBMIT,
        "look": 0,
        "reason": "size",
        "queuedAt": "t0",
        "claim": "claims/k/e.json",
        "claimEtag": "0x1",
        "errors": 0,
        "nextLookAt": "t0",
    }
    batch = BatchState.from_json(handed_over)
    batch.submitting, batch.submitting_look = "t1", 0  # submit: saved, then submitted
    batch.submit_attempt = SubmitAttempt("transcriber job x look 0", "t9")
    batch.submit_attempt = None
    batch.state, batch.transcription, batch.submitted_at, batch.sas_expires_at = (
        BATCH_RUNNING,
        "tr",
        "t2",
        "t9",
    )
    batch.polls, batch.errors = 0, 0
    batch.look, batch.next_delay_seconds, batch.next_look_at = 1, 30, "t3"  # look_again
    assert list(batch.to_json()) == [
        *handed_over,
        "submitting",
        "submittingLook",
        "transcription",
        "submittedAt",
        "sasExpiresAt",
        "polls",
        "nextDelaySeconds",
    ]
    follow = BatchState(BATCH_FOLLOW, 0, queued_at="t0", holder="ab" * 16, errors=0)
    assert list(follow.to_json()) == ["state", "look", "queuedAt", "holder", "errors"]
    follow = BatchState.from_json(follow.to_json())
    follow.polls, follow.look, follow.next_delay_seconds, follow.next_look_at = 1, 1, 60, "t4"
    assert list(follow.to_json()) == [
        "state",
        "look",
        "queuedAt",
        "holder",
        "errors",
        "polls",
        "nextDelaySeconds",
        "nextLookAt",
    ]


def test_callback_states_keep_their_shapes() -> None:
    for document in (
        {"sending": True, "since": "t"},
        {"delivered": True, "attempts": 1, "status": 204},
        {"delivered": False, "attempts": 3, "status": "ClientConnectorError"},
        {"delivered": False, "refused": "callbackUrl's host is not in CALLBACK_ALLOWED_HOSTS"},
    ):
        assert list(CallbackState.from_json(document).to_json().items()) == list(document.items())


optional_texts = st.none() | texts
options = st.builds(
    TranscriptionRequestOptions,
    locales=st.none() | st.lists(texts, max_size=3).map(tuple),
    max_speakers=st.none() | st.integers(min_value=1, max_value=35),
    channels=st.none() | st.lists(st.integers(0, 7), max_size=2).map(tuple),
    profanity=optional_texts,
    biasing_weight=st.none() | st.floats(0, 10, allow_nan=False),
)
submit_attempts = ordered({"displayName": st.text(min_size=1, max_size=12), "sasExpiresAt": timestamps})
handed_over_batch = ordered(
    {
        "state": st.sampled_from([BATCH_SUBMIT, BATCH_RUNNING, "done"]),
        "look": st.integers(0, 1000),
        "reason": texts,
        "queuedAt": timestamps,
        "claim": texts,
        "claimEtag": texts,
        "errors": st.integers(0, 10),
        "nextLookAt": timestamps,
        "submitting": timestamps,
        "submittingLook": st.integers(0, 1000),
        "submitAttempt": submit_attempts,
        "transcription": texts,
        "submittedAt": timestamps,
        "sasExpiresAt": timestamps,
        "polls": st.integers(0, 1000),
        "nextDelaySeconds": st.integers(0, 10**6),
        "serviceStatus": st.sampled_from(["NotStarted", "Running", "Succeeded"]),
        "lastError": errors,
    }
).flatmap(lambda document: subsets(document, ("state", "look")))
following_batch = ordered(
    {
        "state": st.just(BATCH_FOLLOW),
        "look": st.integers(0, 1000),
        "queuedAt": timestamps,
        "holder": texts,
        "errors": st.integers(0, 10),
        "polls": st.integers(0, 1000),
        "nextDelaySeconds": st.integers(0, 10**6),
        "nextLookAt": timestamps,
    }
).flatmap(lambda document: subsets(document, ("state", "look")))
callbacks = st.sampled_from(
    [
        {"sending": True, "since": "2026-12-07T01:02:03.456Z"},
        {"delivered": True, "attempts": 1, "status": 200},
        {"delivered": False, "refused": "no"},
    ]
)


def _job(document: dict[str, Any]) -> dict[str, Any]:
    """A job as its writers leave it: `error: null` beside outputs, no outputs without."""
    if "outputs" in document:
        document = {**document, "error": None} if "error" not in document else document
    return document


job_documents = (
    ordered(
        {
            "id": st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
            "status": st.sampled_from(["queued", "running", "succeeded", "failed"]),
            "createdAt": timestamps,
            "source": blob_infos.map(BlobInfo.as_record),
            "options": options.map(options_to_json),
            "attempts": st.integers(0, 10),
            "callbackUrl": texts,
            "origin": st.sampled_from(["blob", "http", "backfill"]),
            "retryFailedAt": timestamps,
            "updatedAt": timestamps,
            "batch": handed_over_batch | following_batch,
            "outputs": st.lists(texts, max_size=4),
            "error": errors | ordered({"code": texts, "message": texts, "retrying": st.just(True)}),
            "audioRemovedAt": timestamps,
            "callback": callbacks,
        }
    )
    .flatmap(lambda document: subsets(document, ("id", "status", "source")))
    .map(_job)
)


@given(job_documents)
def test_every_job_as_written_or_older_reads_back_to_the_same_json(document: dict[str, Any]) -> None:
    again = JobRecord.from_json(document).to_json()
    assert written(again) == written(document)


@given(job_documents, st.dictionaries(st.text(min_size=1).map(lambda key: "x-" + key), texts, max_size=2))
def test_keys_this_version_does_not_know_are_kept_in_place(
    document: dict[str, Any], extra: dict[str, Any]
) -> None:
    document = {**extra, **document}
    assert written(JobRecord.from_json(document).to_json()) == written(document)


records = st.builds(
    JobRecord,
    id=texts,
    status=st.sampled_from(["queued", "running", "succeeded", "failed"]),
    source=blob_infos,
    options=st.none() | options,
    attempts=st.none() | st.integers(0, 10),
    created_at=st.none() | timestamps,
    callback_url=optional_texts,
    origin=optional_texts,
    retry_failed_at=st.none() | timestamps,
    updated_at=st.none() | timestamps,
    batch=st.none() | (handed_over_batch | following_batch).map(BatchState.from_json),
    outputs=st.none() | st.lists(texts, max_size=3),
    error=st.none() | st.builds(RecordedError, texts, texts, st.booleans()),
    audio_removed_at=st.none() | timestamps,
    callback=st.none() | callbacks.map(CallbackState.from_json),
)


@given(records)
def test_every_job_survives_its_json(record: JobRecord) -> None:
    assert JobRecord.from_json(json.loads(written(record.to_json()))) == record
