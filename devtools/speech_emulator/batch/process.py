"""A batch job's worker: fetch each recording, recognise it block by block, write the files.

Runs as an asyncio task in the server's loop; decoding runs in a thread and pocketsphinx in the
emulator's decoder processes (the same runner as fast transcription), so the server stays
responsive. Per recording, only one block of audio is in memory at a time.

What each engine hears in a recording of any length:
- `pocketsphinx`: each block (30 s) of each requested channel, recognised on its own (a word
  spanning a block boundary may be cut; the fast path cuts at quiet moments instead).
- `echo`: its text once at the start of every block of each channel, so phrases span the
  whole recording at known offsets; speakers alternate 1, 2 with diarization.

Recorded outcomes: stereo audio with diarization fails the job ("The recordings URI contains
invalid data", Azure-Samples/cognitive-services-speech-sdk issue 1340); channels asked for but
absent (channel 1 of mono audio) are skipped, as the default [0, 1] on mono audio must be.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from pathlib import Path
from typing import Literal

import numpy as np
from starlette.concurrency import run_in_threadpool

from devtools.speech_emulator.batch.jobs import BatchJob, ResultFile, iso_now
from devtools.speech_emulator.batch.render import render_report, render_transcription
from devtools.speech_emulator.batch.storage import list_container, put_blob
from devtools.speech_emulator.batch.stream import AudioBlock, JobFailure, decode_blocks, download, ssl_context
from devtools.speech_emulator.config import EmulatorConfig
from devtools.speech_emulator.engines import EchoEngine, Engine, PocketsphinxEngine, Track
from devtools.speech_emulator.locales import identify_locale
from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord

logger = logging.getLogger(__name__)

__all__ = ["run_job"]

_ECHO_WORD_MS = 300
_INVALID = "The recordings URI contains invalid data."


async def run_job(job: BatchJob, engine: Engine, config: EmulatorConfig) -> None:
    """Process every recording of `job` and leave its files and final status on it."""
    job.status = "Running"
    outcomes: list[tuple[str, str | None, str | None]] = []
    total_ms = 0
    try:
        urls = await _recordings(job, config)
        with tempfile.TemporaryDirectory(prefix="speech-batch-") as directory:
            for index, url in enumerate(urls):
                try:
                    tracks, duration_ms = await _transcribe(url, Path(directory), job, engine, config)
                    locale = (
                        identify_locale(job.spec.candidate_locales)
                        if job.spec.candidate_locales
                        else job.spec.locale
                    )
                    content = render_transcription(url, tracks, duration_ms, job.spec, locale, iso_now())
                    job.files.append(
                        await _file(job, config, f"contenturl_{index}.json", "Transcription", content)
                    )
                except JobFailure as failure:
                    outcomes.append((url, failure.code, failure.message))
                    continue
                total_ms += duration_ms
                outcomes.append((url, None, None))
        if not urls:
            raise JobFailure("InvalidData", "The container holds no recordings.")
        job.files.append(
            await _file(job, config, "report.json", "TranscriptionReport", render_report(outcomes))
        )
    except asyncio.CancelledError:
        raise
    except JobFailure as failure:
        outcomes = [("", failure.code, failure.message)]
    except Exception:
        logger.exception("batch job %s failed inside the emulator", job.id)
        outcomes = [("", "InternalServerError", "The emulator failed.")]
    failures = [(code, message) for _, code, message in outcomes if code]
    job.duration_ms = total_ms
    if len(failures) == len(outcomes):
        job.error_code, job.error_message = failures[0]
        job.status = "Failed"
    else:
        job.status = "Succeeded"
    job.finished_at = time.monotonic()


async def _recordings(job: BatchJob, config: EmulatorConfig) -> list[str]:
    if job.spec.container_url is None:
        return list(job.spec.content_urls)
    return await list_container(
        job.spec.container_url, verify=ssl_context(config.ca_file), timeout=config.audio_url_timeout_seconds
    )


async def _file(
    job: BatchJob,
    config: EmulatorConfig,
    name: str,
    kind: Literal["Transcription", "TranscriptionReport"],
    content: bytes,
) -> ResultFile:
    """A result file, also written to the destination container when one was given."""
    external = None
    if job.spec.destination_url is not None:
        external = await put_blob(
            job.spec.destination_url,
            f"{job.id}/{name}",
            content,
            verify=ssl_context(config.ca_file),
            timeout=config.audio_url_timeout_seconds,
        )
    return ResultFile(str(uuid.uuid4()), name, kind, content, iso_now(), external)


async def _transcribe(
    url: str, directory: Path, job: BatchJob, engine: Engine, config: EmulatorConfig
) -> tuple[list[Track], int]:
    path = await download(
        url,
        directory,
        max_bytes=config.batch_max_bytes,
        timeout_seconds=config.audio_url_timeout_seconds,
        ca_file=config.ca_file,
    )
    try:
        return await _recognise(path, job, engine, config)
    finally:
        path.unlink(missing_ok=True)


async def _recognise(
    path: Path, job: BatchJob, engine: Engine, config: EmulatorConfig
) -> tuple[list[Track], int]:
    spec = job.spec
    blocks = decode_blocks(path, config.batch_max_seconds, resample=isinstance(engine, PocketsphinxEngine))
    phrases: dict[int, list[RecognizedPhrase]] = {}
    duration_ms = 0
    while (block := await run_in_threadpool(next, blocks, None)) is not None:
        channel_count = block.samples.shape[1]
        if spec.diarization and channel_count > 1:
            raise JobFailure("InvalidData", _INVALID)
        channels = [c for c in spec.channels if c < channel_count]
        if not channels:
            raise JobFailure("InvalidData", _INVALID)
        for channel in channels:
            phrases.setdefault(channel, []).extend(await _block_phrases(block, channel, engine))
        duration_ms = block.end_ms
    tracks = []
    for channel, found in sorted(phrases.items()):
        speakers = (
            [min(1 + i % 2, spec.max_speakers) for i in range(len(found))] if spec.max_speakers else None
        )
        tracks.append(Track(channel, found, speakers))
    return tracks, duration_ms


async def _block_phrases(block: AudioBlock, channel: int, engine: Engine) -> list[RecognizedPhrase]:
    if isinstance(engine, PocketsphinxEngine):
        found = await engine.runner.recognize(np.ascontiguousarray(block.samples[:, channel]))
        return [_shifted(p, block.offset_ms) for p in found]
    if not isinstance(engine, EchoEngine):
        raise TypeError(f"no batch support for engine {engine.name!r}")
    words = [
        RecognizedWord(text, block.offset_ms + i * _ECHO_WORD_MS, _ECHO_WORD_MS, 1.0)
        for i, text in enumerate(engine.text.split())
    ]
    heard = [w for w in words if w.end_ms <= block.end_ms] or words[:1]
    return [RecognizedPhrase(tuple(heard))]


def _shifted(phrase: RecognizedPhrase, offset_ms: int) -> RecognizedPhrase:
    return RecognizedPhrase(
        tuple(
            RecognizedWord(w.text, w.offset_ms + offset_ms, w.duration_ms, w.confidence) for w in phrase.words
        )
    )
