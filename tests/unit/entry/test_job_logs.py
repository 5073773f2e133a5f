"""Job ids are bearer handles to transcripts: a job's run logs a keyed hash of its id, never the id."""

from __future__ import annotations

import logging

import pytest

from tests.unit.entry.http.owners_world import ALICE, body, entra_world, post_job
from transcriber.domain.invocation import Invocation
from transcriber.domain.privacy import JOB_PREFIX, PrivacySettings, blob_label, configure, job_label, main
from transcriber.entry.triggers import handle_job_message


async def test_job_run_logs_the_jobs_keyed_id_and_never_the_id(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = entra_world(monkeypatch)
    caplog.set_level(logging.DEBUG)
    job_id = body(await post_job(ALICE, "?fileName=meeting.wav"))["id"]
    [message] = world.jobs.messages
    status = await handle_job_message(message.text, 1, Invocation("run_transcription_job", "unit"))
    assert status == "succeeded"
    lines = [record.getMessage() for record in caplog.records]
    assert [line for line in lines if job_id in line] == []
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(job_label(job_id) in line for line in info), lines


def test_job_label_is_keyed_stable_and_hidden_even_where_blob_names_are_allowed() -> None:
    job_id = "0123456789abcdef0123456789abcdef"
    try:
        configure(PrivacySettings(include_blob_names=True, name_key="key-one"))
        label = job_label(job_id)
        assert (
            label == job_label(job_id) and label.startswith(JOB_PREFIX) and len(label) == len(JOB_PREFIX) + 16
        )
        assert job_id not in label and label != job_label("f" * 32)
        configure(PrivacySettings(name_key="key-two"))
        assert job_label(job_id) != label
    finally:
        configure(PrivacySettings())


def test_privacy_command_prints_a_jobs_label_under_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEMETRY_NAME_KEY", "k" * 44)
    assert main(["--job", "0" * 32]) == 0
    label, job_id = capsys.readouterr().out.strip().split("\t")
    assert job_id == "0" * 32 and label == job_label("0" * 32)


def test_blob_names_allowed_in_logs_still_hide_a_jobs_id() -> None:
    job_id = "0123456789abcdef0123456789abcdef"
    try:
        configure(PrivacySettings(include_blob_names=True, name_key="key-one"))
        assert blob_label(f"jobs/{job_id}/audio") == f"jobs/{job_label(job_id)}/audio"
        assert blob_label(f"jobs/{job_id}/audio.json") == f"jobs/{job_label(job_id)}/audio.json"
        assert blob_label("meetings/jobs/notes.wav") == "meetings/jobs/notes.wav"
        assert blob_label(f"xjobs/{job_id}/a") == f"xjobs/{job_id}/a"  # not a job's blob
    finally:
        configure(PrivacySettings())
