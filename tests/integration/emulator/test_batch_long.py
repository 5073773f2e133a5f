"""Batch transcription of a 2.5-hour recording and of a file over 300 MB, in bounded memory.

The recordings come from `devtools.long_audio` (cached under .cache/long_audio). Memory is
measured with tracemalloc (numpy's buffers are traced), as the peak of Python allocations while
the emulator downloads, decodes and renders: it must stay far below the recording's size.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile

from devtools.long_audio import CACHE_DIR, large_recording, long_recording
from devtools.speech_emulator import RunningEmulator
from tests.fixtures.file_server import serve_directory
from tests.integration.emulator.batch_api import transcribe

_MB = 1024 * 1024


@pytest.fixture(scope="module")
def cache_host() -> Iterator[str]:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with serve_directory(CACHE_DIR) as url:
        yield url


def _traced(emulator: RunningEmulator, url: str, **properties: object) -> tuple[dict, list, int]:
    tracemalloc.start()
    try:
        status, results = transcribe(emulator, url, **properties)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return status, results, peak


def test_long_audio_fixtures_declare_their_size_and_length() -> None:
    long = long_recording()
    assert soundfile.info(str(long)).frames == 9000 * 8000 and long.stat().st_size < 40 * _MB
    large = large_recording()
    info = soundfile.info(str(large))
    assert large.stat().st_size > 300 * 1000 * 1000 and info.duration < 2 * 3600
    assert long_recording() == long and large_recording() == large  # cached


def test_batch_transcribes_a_2_5_hour_recording_with_continuous_offsets(
    echo: RunningEmulator, cache_host: str
) -> None:
    path: Path = long_recording(2.5)
    status, (result,), peak = _traced(echo, f"{cache_host}/{path.name}", wordLevelTimestampsEnabled=True)
    assert status["status"] == "Succeeded"
    assert result["durationMilliseconds"] == 9_000_000 and result["duration"] == "PT2H30M"
    offsets = [p["offsetMilliseconds"] for p in result["recognizedPhrases"]]
    assert offsets == [i * 30_000 for i in range(300)]
    last = result["recognizedPhrases"][-1]
    assert last["offsetMilliseconds"] + last["durationMilliseconds"] <= 9_000_000
    assert peak < 64 * _MB, f"peak {peak / _MB:.1f} MB"


def test_batch_transcribes_a_file_over_300_mb_in_bounded_memory(
    echo: RunningEmulator, cache_host: str
) -> None:
    path = large_recording()
    status, (result,), peak = _traced(echo, f"{cache_host}/{path.name}")
    assert status["status"] == "Succeeded"
    assert [c["channel"] for c in result["combinedRecognizedPhrases"]] == [0, 1]
    assert result["durationMilliseconds"] == round(soundfile.info(str(path)).duration * 1000 - 0.5)
    assert peak < 64 * _MB, f"peak {peak / _MB:.1f} MB for a {path.stat().st_size / _MB:.0f} MB file"


def test_batch_recording_over_the_emulator_limit_fails_as_invalid_data(
    speech_emulator_factory: object, cache_host: str
) -> None:
    emulator = speech_emulator_factory(engine="echo", batch_max_bytes=100 * _MB)  # type: ignore[operator]
    status, _ = transcribe(emulator, f"{cache_host}/{large_recording().name}")
    assert status["status"] == "Failed" and status["properties"]["error"]["code"] == "InvalidData"
