"""The azure-ai-transcription 1.0.0 sdist's samples run unchanged against the emulator's CLI."""

from __future__ import annotations

from pathlib import Path

from devtools.sdk_samples import NEED_INTERNET, download_samples, run_with_emulator

CACHE = Path(__file__).resolve().parents[3] / ".cache" / "sdk-samples"


def test_sdk_samples_run_unchanged_except_those_that_need_the_internet() -> None:
    runs = {run.name: run for run in run_with_emulator(download_samples(CACHE))}
    assert len(runs) == 14  # 7 samples, sync and async
    assert {name for name, run in runs.items() if run.returncode is None} == set(NEED_INTERNET)
    failed = {name: run.output[-2000:] for name, run in runs.items() if run.returncode not in (None, 0)}
    assert not failed
    # The SDK's own model cannot send "enabled": true, so the live service labels nobody (issue 44436).
    assert "Speaker Unknown" in runs["sample_transcribe_with_diarization.py"].output
    assert "Translated to Korean:" in runs["sample_transcribe_with_enhanced_mode.py"].output
