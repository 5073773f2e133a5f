"""`python -m transcriber transcribe`: formats, files out, options, failures and exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pysrt
import pytest
import webvtt

from tests.fixtures.storage import BlobContainers
from transcriber.entry.cli import exit_codes, main

ROOT = Path(__file__).resolve().parents[3]
JFK = ROOT / "samples" / "jfk.wav"


def test_transcribe_srt_prints_subtitles(cli_env: BlobContainers, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(JFK), "--format", "srt"]) == exit_codes.OK
    subs = pysrt.from_string(capsys.readouterr().out)
    assert len(subs) >= 2 and "country" in subs.text.lower()


def test_transcribe_json_by_default_is_the_service_result(
    cli_env: BlobContainers, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(JFK)]) == exit_codes.OK
    result = json.loads(capsys.readouterr().out)
    assert result["durationMilliseconds"] > 10_000 and result["phrases"]


def test_transcribe_out_writes_one_file_per_input(
    cli_env: BlobContainers, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(JFK), str(corpus / "cards-001.wav")]
    assert main(["transcribe", *files, "--format", "vtt", "--out", str(tmp_path / "out"), "-q"]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["cards-001.wav.vtt", "jfk.wav.vtt"]
    captions = webvtt.read(str(tmp_path / "out" / "cards-001.wav.vtt")).captions
    assert "clubs" in " ".join(c.text for c in captions).lower()
    assert capsys.readouterr().out == ""


def test_transcribe_options_reach_the_service(
    cli_env: BlobContainers, speech: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["transcribe", str(JFK), "--locale", "en-US", "--profanity", "masked", "--phrases", "Kennedy"]
    assert main([*args, "-f", "text"]) == 0
    definition = speech.requests()[-1].definition
    assert definition["profanityFilterMode"] == "Masked"
    assert definition["phraseList"]["phrases"] == ["Kennedy"]


def test_transcribe_invalid_option_is_a_usage_error_before_any_call(
    cli_env: BlobContainers, speech: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(JFK), "--diarization", "99"]) == exit_codes.USAGE
    assert "diarization" in capsys.readouterr().err and speech.requests() == []


def test_transcribe_missing_file_and_refused_audio_have_their_codes(
    cli_env: BlobContainers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(tmp_path / "absent.wav")]) == exit_codes.NO_INPUT
    (tmp_path / "notes.wav").write_text("not audio at all")
    assert main(["transcribe", str(tmp_path / "notes.wav")]) == exit_codes.FAILED
    err = capsys.readouterr().err
    assert "absent.wav: cannot read" in err and "notes.wav:" in err


def test_transcribe_wrong_key_is_unavailable(
    cli_env: BlobContainers, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AZURE_SPEECH_API_KEY", "wrong")
    assert main(["transcribe", str(JFK)]) == exit_codes.UNAVAILABLE
    assert "refused the credential" in capsys.readouterr().err


def test_missing_setting_is_a_config_error_without_traceback(
    cli_env: BlobContainers, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AZURE_SPEECH_ENDPOINT")
    assert main(["transcribe", str(JFK)]) == exit_codes.CONFIG
    err = capsys.readouterr().err
    assert "AZURE_SPEECH_ENDPOINT" in err and "Traceback" not in err


def test_local_settings_json_fills_what_the_environment_lacks(
    cli_env: BlobContainers, speech: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AZURE_SPEECH_ENDPOINT")
    values = {"AZURE_SPEECH_ENDPOINT": speech.endpoint, "AZURE_SPEECH_API_KEY": "ignored: env wins"}
    Path("local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": values}))
    assert main(["transcribe", str(JFK), "-f", "text"]) == exit_codes.OK
    assert "country" in capsys.readouterr().out.lower()


@pytest.mark.parametrize("command", [[], ["transcribe"], ["status"]])
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0 and "exit codes:" in capsys.readouterr().out


def test_module_entry_point_prints_subtitles_for_the_sample(cli_env: BlobContainers) -> None:
    """Exactly what README shows: `python -m transcriber transcribe samples/jfk.wav --format srt`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "transcriber", "transcribe", "samples/jfk.wav", "--format", "srt"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert pysrt.from_string(done.stdout)[0].start.ordinal >= 0
    assert io.StringIO(done.stdout).readline().strip() == "1"


def test_transcribe_needs_no_storage_settings(
    cli_env: BlobContainers, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AudioStorage")
    assert main(["transcribe", str(JFK), "-f", "text"]) == exit_codes.OK
    assert "country" in capsys.readouterr().out.lower()
