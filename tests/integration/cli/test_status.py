"""`python -m transcriber status NAME`: a blob's outcome and the exit code scripts test."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

from devtools.azurite import Azurite
from tests.fixtures.storage import BlobContainers
from transcriber.domain.invocation import Invocation
from transcriber.entry.cli import exit_codes, main
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


def test_status_follows_a_blob_from_pending_to_transcribed(
    cli_env: BlobContainers, azurite: Azurite, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(azurite, cli_env, "calls/a.wav", (corpus / "cards-001.wav").read_bytes())
    code, record = _status("calls/a.wav", capsys)
    assert (code, record["state"]) == (exit_codes.TEMPORARY, "pending")
    _process("calls/a.wav")
    code, record = _status("calls/a.wav", capsys)
    assert (code, record["state"]) == (exit_codes.OK, "transcribed")
    assert "calls/a.wav.srt" in record["outputs"]  # type: ignore[operator]
    assert main(["status", "calls/a.wav"]) == 0
    assert "transcribed -> calls/a.wav.json" in capsys.readouterr().out


def test_status_of_a_refused_file_is_failed_with_its_reason(
    cli_env: BlobContainers, azurite: Azurite, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(azurite, cli_env, "notes.wav", b"this is a text file, not audio" * 10)
    _process("notes.wav")
    code, record = _status("notes.wav", capsys)
    assert (code, record["state"]) == (exit_codes.FAILED, "failed")
    assert record["error"]["code"]  # type: ignore[index]


def test_status_of_a_new_version_is_pending_again(
    cli_env: BlobContainers, azurite: Azurite, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upload(azurite, cli_env, "take.wav", (corpus / "cards-001.wav").read_bytes())
    _process("take.wav")
    _upload(azurite, cli_env, "take.wav", (corpus / "cards-002.wav").read_bytes())
    assert _status("take.wav", capsys)[1]["state"] == "pending"


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
    assert (code, record["state"]) == (exit_codes.TEMPORARY, "pending")
    batch = record["batch"]
    assert batch["state"] == "submitting" and batch["reason"] == "MAX_AUDIO_BYTES"  # type: ignore[index]
    assert main(["status", "hearing.wav"]) == exit_codes.TEMPORARY
    assert f"pending: batch job {batch['job']} submitting" in capsys.readouterr().out  # type: ignore[index]
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
