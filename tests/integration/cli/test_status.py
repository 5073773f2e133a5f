"""`python -m transcriber status NAME`: a blob's outcome and the exit code scripts test."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

from devtools.azurite import Azurite
from tests.fixtures.storage import BlobContainers
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.claim_record import HELD, ClaimRecord
from transcriber.domain.failure_record import FailureRecord, RecordedError
from transcriber.domain.invocation import Invocation
from transcriber.domain.names import claim_name, failure_name
from transcriber.domain.statuses import RUNNING, STATUSES
from transcriber.entry.cli import exit_codes, main
from transcriber.entry.cli.status import EXIT_BY_STATE
from transcriber.entry.triggers import handle_blob
from transcriber.services import reset_service


def _upload(azurite: Azurite, containers: BlobContainers, name: str, data: bytes) -> None:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        client.get_blob_client(containers.audio, name).upload_blob(data, overwrite=True)


def _process(name: str) -> None:
    async def run() -> None:
        try:
            await handle_blob(name, Invocation("transcribe_blob"))
        finally:
            await reset_service()

    asyncio.run(run())


def _status(name: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["status", name, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_status_follows_a_blob_from_queued_to_succeeded(
    cli_env: BlobContainers, azurite: Azurite, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(azurite, cli_env, "calls/a.wav", (corpus / "cards-001.wav").read_bytes())
    code, record = _status("calls/a.wav", capsys)
    assert (code, record["state"]) == (exit_codes.TEMPORARY, "queued")
    _process("calls/a.wav")
    code, record = _status("calls/a.wav", capsys)
    assert (code, record["state"]) == (exit_codes.OK, "succeeded")
    assert "calls/a.wav.srt" in record["outputs"]  # type: ignore[operator]
    assert main(["status", "calls/a.wav"]) == 0
    assert "succeeded -> calls/a.wav.json" in capsys.readouterr().out


def test_status_of_a_refused_file_is_failed_with_its_reason(
    cli_env: BlobContainers, azurite: Azurite, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(azurite, cli_env, "notes.wav", b"this is a text file, not audio" * 10)
    _process("notes.wav")
    code, record = _status("notes.wav", capsys)
    assert (code, record["state"]) == (exit_codes.FAILED, "failed")
    assert record["error"]["code"]  # type: ignore[index]


def test_status_of_a_new_version_is_queued_again(
    cli_env: BlobContainers, azurite: Azurite, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(azurite, cli_env, "take.wav", (corpus / "cards-001.wav").read_bytes())
    _process("take.wav")
    _upload(azurite, cli_env, "take.wav", (corpus / "cards-002.wav").read_bytes())
    assert _status("take.wav", capsys)[1]["state"] == "queued"


def test_status_of_an_absent_blob_is_not_found(
    cli_env: BlobContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "never-uploaded.wav"]) == exit_codes.NO_INPUT
    assert "not found" in capsys.readouterr().out


def test_status_of_a_blob_a_batch_job_holds_shows_the_jobs_state_and_next_look(
    cli_env: BlobContainers,
    azurite: Azurite,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "1024")  # every recording takes the batch route
    monkeypatch.setenv("FAILURES_CONTAINER", cli_env.failures)  # this test's own, read back below
    _upload(azurite, cli_env, "hearing.wav", (corpus / "cards-001.wav").read_bytes())
    _process("hearing.wav")  # handed to a batch job, which has not submitted yet
    code, record = _status("hearing.wav", capsys)
    assert (code, record["state"]) == (exit_codes.TEMPORARY, "running")  # as the batch job says
    batch = record["batch"]
    assert batch["state"] == "submitting" and batch["reason"] == "MAX_AUDIO_BYTES"  # type: ignore[index]
    assert main(["status", "hearing.wav"]) == exit_codes.TEMPORARY
    assert f"running: batch job {batch['job']} submitting" in capsys.readouterr().out  # type: ignore[index]
    # the job's later steps (written as the look step writes them): running, with its next look
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        blob = client.get_blob_client(cli_env.failures, f"jobs/{batch['job']}.json")  # type: ignore[index]
        job = json.loads(blob.download_blob().readall())
        job["batch"].update(state="running", serviceStatus="Running", nextLookAt="2026-12-02T03:00:00+00:00")
        blob.upload_blob(json.dumps(job), overwrite=True)
    code, record = _status("hearing.wav", capsys)
    assert record["batch"]["state"] == "running"  # type: ignore[index]
    assert record["batch"]["nextLookAt"] == "2026-12-02T03:00:00+00:00"  # type: ignore[index]
    main(["status", "hearing.wav"])
    assert "running, next look at 2026-12-02T03:00:00+00:00" in capsys.readouterr().out


def _write_failures_record(azurite: Azurite, container: str, name: str, document: dict[str, object]) -> None:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        client.get_blob_client(container, name).upload_blob(json.dumps(document), overwrite=True)


def test_status_of_a_version_a_worker_holds_is_running_as_its_job_says(
    cli_env: BlobContainers,
    azurite: Azurite,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAILURES_CONTAINER", cli_env.failures)
    _upload(azurite, cli_env, "live.wav", (corpus / "cards-001.wav").read_bytes())
    etag = _status("live.wav", capsys)[1]["etag"]
    claim = ClaimRecord(HELD, owner="worker", invocation_id="1", claimed_at="2026-12-07T08:00:00+00:00")
    info = BlobInfo(cli_env.audio, "live.wav", str(etag), 0, None)
    _write_failures_record(azurite, cli_env.failures, claim_name(info), claim.to_json())
    code, record = _status("live.wav", capsys)
    assert (code, record["state"]) == (exit_codes.TEMPORARY, RUNNING)
    assert main(["status", "live.wav"]) == exit_codes.TEMPORARY
    assert "live.wav: running" in capsys.readouterr().out


def test_status_of_a_version_being_retried_is_running_with_the_error_it_retries(
    cli_env: BlobContainers,
    azurite: Azurite,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAILURES_CONTAINER", cli_env.failures)
    _upload(azurite, cli_env, "flaky.wav", (corpus / "cards-001.wav").read_bytes())
    etag = _status("flaky.wav", capsys)[1]["etag"]
    failure = FailureRecord(
        RecordedError("ServiceError", "Speech answered 503"),
        transient=True,
        attempts=1,
        final=False,
        source=BlobInfo(cli_env.audio, "flaky.wav", str(etag), 1, None),
    )
    _write_failures_record(azurite, cli_env.failures, failure_name("flaky.wav"), failure.to_json())
    code, record = _status("flaky.wav", capsys)
    assert (code, record["state"]) == (exit_codes.TEMPORARY, RUNNING)
    assert record["error"] == {"code": "ServiceError", "message": "Speech answered 503", "retrying": True}


@pytest.mark.parametrize("state", sorted(EXIT_BY_STATE))
def test_status_states_are_the_jobs_statuses_and_not_found(state: str) -> None:
    assert state in (*STATUSES, "not-found")
