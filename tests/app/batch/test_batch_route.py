"""Audio over fast transcription's limits takes the batch route and ends with the same outputs.

Through Microsoft's runtime (the project's host), Azurite and the Speech emulator's batch API
(echo engine: no recognition, its text at the start of every 30 s block, so the offsets of a long
recording are known). The blob trigger returns at once; the jobs queue carries the job's looks.

Both recordings are real (`devtools.long_audio`, from the corpus): 2.5 hours of speech as FLAC
(its header declares the length: over MAX_AUDIO_SECONDS) and a 320 MiB WAV against the real
MAX_AUDIO_BYTES (300 MiB), not a lowered setting, so the test also shows what a file that size
costs: Azurite stores it, the emulator fetches it by its SAS URL, and the app reads only its
first 64 KiB. Smaller cases lower MAX_AUDIO_BYTES instead; the route is the same comparison.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.app.batch.batch_app import (
    StorageSpy,
    has_final_failure,
    has_outputs,
    no_record_and_no_held_claim,
    recording,
    run_until,
    submits,
    upload_file,
    use_emulator,
)
from tests.app.jobs_queue import Jobs
from transcriber.domain.audio_header import HEAD_BYTES

LONG_SECONDS = 2.5 * 3600
BLOCK_MS = 30_000  # the echo engine's batch block


@pytest.fixture(scope="module")
def long_recording() -> Path:
    from devtools.long_audio import long_recording

    return long_recording(LONG_SECONDS / 3600)


def timestamps(text: str) -> list[int]:
    """Every cue start in an SRT or VTT file, in milliseconds."""
    found = re.findall(r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d) -->", text)
    return [((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms) for h, m, s, ms in found]


async def test_a_recording_of_two_and_a_half_hours_ends_with_a_full_transcript_set_through_batch(
    jobs: Jobs, echo: Any, long_recording: Path, storage_spy: StorageSpy, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch)
    upload_file(jobs, "hearings/day-1.flac", long_recording)
    event = await jobs.app.blob_event("hearings/day-1.flac")
    assert event.status == "succeeded"  # the trigger queued the job and returned
    assert [e.operation for e in echo.requests()] == []  # nothing submitted yet: the job does it
    await run_until(jobs, has_outputs(jobs, "hearings/day-1.flac"))

    outputs = jobs.app.transcripts()
    assert set(outputs) == {f"hearings/day-1.flac.{ext}" for ext in ("json", "txt", "srt", "vtt")}
    document = json.loads(outputs["hearings/day-1.flac.json"])
    assert document["processing"]["route"] == "batch"
    assert abs(document["durationMilliseconds"] - LONG_SECONDS * 1000) < 1000
    offsets = [p["offsetMilliseconds"] for p in document["phrases"]]
    assert offsets == sorted(offsets) and offsets[0] < BLOCK_MS
    assert max(b - a for a, b in itertools.pairwise(offsets)) <= BLOCK_MS
    assert offsets[-1] > LONG_SECONDS * 1000 - 2 * BLOCK_MS  # continuous to the end
    for fmt in ("srt", "vtt"):
        cues = timestamps(outputs[f"hearings/day-1.flac.{fmt}"].decode())
        assert cues == sorted(cues) and cues[-1] > LONG_SECONDS * 1000 - 2 * BLOCK_MS, fmt
    assert document["phrases"][0]["words"], "word timings, as fast transcription gives"

    # exactly one outcome, nothing left over: no failure record, no claim, no service transcription
    no_record_and_no_held_claim(jobs)
    assert echo.batch_jobs() == [] and len(submits(echo)) == 1
    # the app never read the audio: one ranged read of its header, whatever its length
    reads = [
        r for r in storage_spy.to_blob(jobs.app.containers.audio, "hearings/day-1.flac") if r[0] == "GET"
    ]
    assert reads and all(rng == f"bytes=0-{HEAD_BYTES - 1}" for _, rng in reads), reads


async def test_a_file_over_the_size_limit_ends_with_the_same_outputs_as_a_fast_transcription(
    jobs: Jobs, echo: Any, tmp_path: Path, storage_spy: StorageSpy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devtools.long_audio import large_recording

    use_emulator(jobs, echo, monkeypatch)  # the real MAX_AUDIO_BYTES: 300 MiB
    big = large_recording()  # 320 MiB, 29 minutes: over the size limit only
    upload_file(jobs, "big.wav", big)
    upload_file(jobs, "small.wav", recording(tmp_path / "small.wav", 40, rate=16000))  # fast
    await jobs.app.blob_event("small.wav")
    await jobs.app.blob_event("big.wav")
    await run_until(jobs, has_outputs(jobs, "big.wav"), timeout=300)

    fast, batch = jobs.app.transcript_json("small.wav.json"), jobs.app.transcript_json("big.wav.json")
    assert (fast["processing"]["route"], batch["processing"]["route"]) == ("fast", "batch")
    assert set(batch) == set(fast)
    assert set(batch["processing"]) == set(fast["processing"])
    assert {k for p in batch["phrases"] for k in p} == {k for p in fast["phrases"] for k in p}
    assert {k for p in batch["phrases"] for w in p["words"] for k in w} == {
        k for p in fast["phrases"] for w in p["words"] for k in w
    }
    assert batch["source"]["size"] == big.stat().st_size > 300 * 1024 * 1024
    outputs = jobs.app.transcripts()
    assert outputs["big.wav.txt"].strip() and b"-->" in outputs["big.wav.srt"]
    assert outputs["big.wav.vtt"].startswith(b"WEBVTT")
    assert [e.operation for e in echo.requests()].count("transcribe") == 1  # small.wav only
    reads = [r for r in storage_spy.to_blob(jobs.app.containers.audio, "big.wav") if r[0] == "GET"]
    assert reads and all(rng == f"bytes=0-{HEAD_BYTES - 1}" for _, rng in reads), reads


async def test_with_batch_off_audio_over_the_limits_keeps_its_failure_record(
    jobs: Jobs, echo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(
        jobs, echo, monkeypatch, MAX_AUDIO_BYTES=str(1024 * 1024), BATCH_TRANSCRIPTION_ENABLED="false"
    )
    upload_file(jobs, "big.wav", recording(tmp_path / "big.wav", 60, rate=16000))
    await jobs.app.blob_event("big.wav")
    record = jobs.app.failure_json("big.wav")
    assert record["final"] and record["error"]["code"] == "AudioTooLarge"
    assert echo.requests() == [] and await jobs.run() == []


async def test_audio_the_header_does_not_time_goes_to_batch_on_the_services_own_limit_error(
    jobs: Jobs, speech_emulator_factory: Callable[..., Any], corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = speech_emulator_factory(max_seconds=1)  # fast: at most 1 s (the echo engine decodes nothing)
    use_emulator(jobs, emulator, monkeypatch)
    jobs.app.upload("talk.mp3", (corpus / "hotwords.mp3").read_bytes(), "audio/mpeg")  # no declared length
    await jobs.app.blob_event("talk.mp3")
    await run_until(jobs, has_outputs(jobs, "talk.mp3"))
    operations = [e.operation for e in emulator.requests()]
    assert operations[0] == "transcribe" and "submit" in operations
    assert jobs.app.transcript_json("talk.mp3.json")["processing"]["route"] == "batch"
    assert "failed/talk.mp3.json" not in jobs.app.failures()


async def test_random_bytes_over_the_fast_limit_fail_as_unsupported_media_before_any_batch_job(
    jobs: Jobs, echo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, MAX_AUDIO_BYTES=str(1024 * 1024))
    noise = tmp_path / "noise.wav"
    noise.write_bytes(bytes([0x5A, 0x17]) + random.Random(7).randbytes(2 * 1024 * 1024))
    upload_file(jobs, "noise.wav", noise)
    await jobs.app.blob_event("noise.wav")
    await run_until(jobs, has_final_failure(jobs, "noise.wav"))
    assert jobs.app.failure_json("noise.wav")["error"]["code"] == "UnsupportedMediaType"
    assert echo.requests() == [] and echo.batch_jobs() == []


async def test_a_failed_batch_ends_as_a_failure_record_with_the_services_code(
    jobs: Jobs, echo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_emulator(jobs, echo, monkeypatch, MAX_AUDIO_BYTES=str(1024 * 1024))
    echo.batch_script(
        running_polls=1, fail_code="InvalidData", fail_message="The recordings URI contains invalid data."
    )
    upload_file(jobs, "bad.wav", recording(tmp_path / "bad.wav", 60, rate=16000))
    await jobs.app.blob_event("bad.wav")
    await run_until(jobs, has_final_failure(jobs, "bad.wav"))
    record = jobs.app.failure_json("bad.wav")
    assert record["error"]["code"] == "InvalidData" and record["final"] is True
    assert jobs.app.transcripts() == {} and echo.batch_jobs() == []
    claims = [json.loads(b) for n, b in jobs.app.failures().items() if n.startswith("claims/")]
    assert all(c.get("state") == "released" for c in claims)


async def test_a_result_file_over_the_bound_ends_as_a_failure_record_naming_it(
    jobs: Jobs, echo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transcriber.adapters.batch import client

    monkeypatch.setattr(client, "MAX_RESULT_BYTES", 256)  # the emulator's result file is larger
    use_emulator(jobs, echo, monkeypatch, MAX_AUDIO_BYTES=str(1024 * 1024))
    upload_file(jobs, "long.wav", recording(tmp_path / "long.wav", 60, rate=16000))
    await jobs.app.blob_event("long.wav")
    await run_until(jobs, has_final_failure(jobs, "long.wav"))
    record = jobs.app.failure_json("long.wav")
    assert record["final"] is True and record["error"]["code"] == "BatchResultTooLarge"
    assert "256 bytes" in record["error"]["message"]
    assert jobs.app.transcripts() == {}
