"""`python -m devtools.speech_emulator`: starts, prints where and with which key, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import ClientAuthenticationError

from devtools.local_services import ChildService
from tests.integration.emulator.batch_api import body, submit, wait

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def cli() -> Iterator[ChildService]:
    """The emulator as a child process: echo engine, any free port, no --key."""
    command = [sys.executable, "-m", "devtools.speech_emulator", "--port", "0", "--engine", "echo"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with ChildService("the emulator", [*command, "--log-level", "WARNING"], cwd=ROOT, env=env) as emulator:
        yield emulator


def printed(cli: ChildService) -> tuple[str, str]:
    """The endpoint and key of the first two lines it prints."""
    found = cli.wait_for_output(r"\A.* (\S+)\n.* (\S+)\n", timeout=30)
    return found.group(1), found.group(2)


def test_cli_without_key_prints_endpoint_and_generated_key_then_stops_on_sigterm(
    cli: ChildService,
) -> None:
    endpoint, key = printed(cli)
    assert endpoint.startswith("http://127.0.0.1:") and len(key) >= 24
    with TranscriptionClient(endpoint, AzureKeyCredential(key)) as client:
        assert client.transcribe(TranscriptionContent(audio=b"x")).phrases
    with (
        TranscriptionClient(endpoint, AzureKeyCredential("guess")) as client,
        pytest.raises(ClientAuthenticationError),
    ):
        client.transcribe(TranscriptionContent(audio=b"x"))
    cli.process.send_signal(signal.SIGTERM)
    assert cli.process.wait(10) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cert", "c.pem"], "cert_file and key_file go together"),
        (["--refuse-keys"], "refuse_keys needs https"),
        (["--engine", "whisper"], "invalid choice"),
        (["--quota-rpm", "0"], "quota_rpm must be at least 1"),
        (["--quota-burst", "5"], "quota_burst must be at least 1 and needs quota_rpm"),
    ],
)
def test_cli_bad_arguments_exit_with_status_2(arguments: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "devtools.speech_emulator", "--port", "0", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and message in done.stderr


def test_cli_serves_batch_transcription_scripted_over_the_control_route(
    cli: ChildService, corpus_host: str
) -> None:
    endpoint, key = printed(cli)
    armed = httpx.post(f"{endpoint}/_emulator/faults", json={"kind": "batch", "runningPolls": 2}, timeout=10)
    assert armed.status_code == 200
    emulator = SimpleNamespace(endpoint=endpoint, key=key)
    answer = submit(emulator, body(f"{corpus_host}/cards-001.wav"))  # type: ignore[arg-type]
    status, seen = wait(emulator, answer.headers["Location"])  # type: ignore[arg-type]
    assert seen[:2] == ["Running", "Running"] and seen[-1] == "Succeeded"  # at least two Running answers
    assert status["properties"]["durationMilliseconds"] == 1095
    cli.process.send_signal(signal.SIGTERM)
    assert cli.process.wait(10) == 0


def test_cli_batch_limits_are_validated() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "devtools.speech_emulator", "--port", "0", "--batch-max-bytes", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "must be positive" in done.stderr
