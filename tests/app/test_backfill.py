"""`python -m transcriber backfill`: pre-existing blobs and final failures queued once, then run.

The command runs as users run it (its `main`, argv, stdout), against Azurite's queue; the jobs it
queues go through the host to the queue-triggered function.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.app.jobs_queue import URL, Jobs
from transcriber.entry.cli import main


async def backfill(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, int]:
    code = await asyncio.to_thread(main, ["backfill", "--quiet", "--rate", "0", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    return {k.strip(): int(v) for k, v in (line.split(":") for line in lines[1:])}


async def test_backfill_queues_each_pre_existing_blob_once_and_runs_them(
    jobs: Jobs, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clips = [(corpus / f"cards-00{i}.wav").read_bytes() for i in (1, 2, 3)]
    names = [f"archive/{n:03}.wav" for n in range(50)]
    for n, name in enumerate(names):
        jobs.app.upload(name, clips[n % 3])
    jobs.app.upload("elsewhere/x.wav", clips[0])
    assert await backfill(capsys, "--prefix", "archive/", "--dry-run") == {"would queue": 50}
    assert await backfill(capsys, "--prefix", "archive/") == {"queued": 50}
    assert await backfill(capsys, "--prefix", "archive/") == {"already queued": 50}  # twice: nothing new
    listed = await jobs.app.call("GET", f"{URL}?limit=100")
    assert len(json.loads(listed.get_body())["items"]) == 50  # key holders list the backfill's jobs
    deliveries = await jobs.run()
    assert len(deliveries) == 50 and {d.status for d in deliveries} == {"succeeded"}
    transcripts = jobs.app.transcripts()
    assert all(f"{name}.json" in transcripts for name in names) and "elsewhere/x.wav.json" not in transcripts
    assert len(jobs.app.speech.requests()) == 50
    assert await backfill(capsys, "--prefix", "archive/") == {"already transcribed": 50}
    assert await jobs.run() == []


async def test_backfill_retries_final_failures_only_when_asked_and_once(
    jobs: Jobs, corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_MAX_ATTEMPTS", "1")  # an outage makes the first failure final
    for n in range(3):
        jobs.app.upload(f"lost/{n}.wav", (corpus / "cards-001.wav").read_bytes())
    jobs.app.speech.fail(500, count=1000)
    for n in range(3):
        await jobs.app.blob_event(f"lost/{n}.wav")
    assert all(jobs.app.failure_json(f"lost/{n}.wav")["final"] for n in range(3))
    jobs.app.speech.state.faults.clear()  # the outage is over
    assert await backfill(capsys) == {"failed (final)": 3}
    assert await jobs.run() == []
    assert await backfill(capsys, "--retry-failed", "--dry-run") == {"would retry": 3}
    assert await backfill(capsys, "--retry-failed") == {"retried": 3}
    assert await backfill(capsys, "--retry-failed") == {"already queued": 3}
    await jobs.run()
    records = {r for r in jobs.app.failures() if not r.startswith("owners/")}  # the jobs' index aside
    assert not {r for r in records if not r.startswith("jobs/")}  # transcripts now, and only those
    assert len(records) == 3
    assert {f"lost/{n}.wav.json" for n in range(3)} <= set(jobs.app.transcripts())
    assert await backfill(capsys, "--retry-failed") == {"already transcribed": 3}


async def test_backfill_with_hostile_prefix_is_refused(
    capsys: pytest.CaptureFixture[str], jobs: Jobs
) -> None:
    code = await asyncio.to_thread(main, ["backfill", "--quiet", "--prefix", "../other/"])
    assert code == 1 and "InvalidBlobName" in capsys.readouterr().err


def test_backfill_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["backfill", "--help"])
    help_text = capsys.readouterr().out
    assert all(flag in help_text for flag in ("--prefix", "--retry-failed", "--dry-run", "--rate"))


async def test_backfill_queues_a_blob_overwritten_since_its_transcript(
    jobs: Jobs, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The transcript at a name records the etag it was made from: another etag is no transcript."""
    jobs.app.upload("over/a.wav", (corpus / "cards-001.wav").read_bytes())
    jobs.app.upload("over/b.wav", (corpus / "cards-002.wav").read_bytes())
    for name in ("over/a.wav", "over/b.wav"):
        await jobs.app.blob_event(name)
    assert await backfill(capsys, "--prefix", "over/") == {"already transcribed": 2}
    # a.wav is replaced and its event never arrives: its transcript is the old version's
    new_etag = jobs.app.upload("over/a.wav", (corpus / "cards-003.wav").read_bytes())
    assert jobs.app.transcript_json("over/a.wav.json")["source"]["etag"] != new_etag
    assert await backfill(capsys, "--prefix", "over/") == {"queued": 1, "already transcribed": 1}
    [delivery] = await jobs.run()
    assert delivery.status == "succeeded"
    document = jobs.app.transcript_json("over/a.wav.json")
    assert document["source"]["etag"] == new_etag
    assert "7 of clubs" in document["combinedPhrases"][0]["text"].lower()
    assert await backfill(capsys, "--prefix", "over/") == {"already transcribed": 2}


async def test_backfill_treats_a_final_failure_of_an_older_version_as_no_outcome(
    jobs: Jobs, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs.app.upload("fixed.wav", b"not audio at all", "text/plain")
    await jobs.app.blob_event("fixed.wav")
    assert jobs.app.failure_json("fixed.wav")["final"] is True
    assert await backfill(capsys) == {"failed (final)": 1}
    jobs.app.upload("fixed.wav", (corpus / "cards-001.wav").read_bytes())  # fixed, event lost
    assert await backfill(capsys) == {"queued": 1}  # not a retry: this version never ran
    await jobs.run()
    assert "fixed.wav.json" in jobs.app.transcripts()
    assert "failed/fixed.wav.json" not in jobs.app.failures()


async def test_backfill_draws_no_progress_bar_when_stderr_is_not_a_terminal(
    jobs: Jobs, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs.app.upload("quiet/a.wav", (corpus / "cards-001.wav").read_bytes())
    code = await asyncio.to_thread(main, ["backfill", "--prefix", "quiet/", "--dry-run"])  # no --quiet
    captured = capsys.readouterr()
    assert code == 0 and "would queue: 1" in captured.out
    assert captured.err == ""  # capsys's stderr is not a terminal: a log or a pipe gets no bar
