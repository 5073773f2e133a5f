"""The batch route: worker memory for a short and a 2.5-hour recording, and calls per hour of audio.

Production shape, as bench_memory: managed identity (local token endpoint), Azurite over https
with OAuth (so the app signs user-delegation SAS URLs), the Speech emulator over https requiring
tokens (`echo` engine: no recognition cost), the blob event and every job message delivered by
the local Functions host through Microsoft's runtime. MAX_AUDIO_SECONDS is lowered to 60 so the
short recording (5 min) takes batch too. Each recording runs in a fresh worker process: start
the host, one warm-up batch job, then the measured one, from the blob event to the written
transcript set. Reported: the worker's peak RSS (VmHWM) and Python heap peak (tracemalloc) side
by side with their ratio (the app never downloads the audio: what may grow is the transcript,
which is 30 times longer, not the 144 MB of audio), and
the app's own Speech calls (API and result file) and storage requests (blob and queue; not the
local host's trigger and listener requests, which the Functions host makes in Azure) per job and
per hour of audio. Looks are 1 s apart here; with the defaults (30 s doubling to 15 min) a
job that waits W minutes makes about log2(W*2)+W/15 looks.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
AUDIO, TRANSCRIPTS, FAILURES, QUEUE = "audio-in", "transcripts", "transcription-failures", "bench-batch-jobs"
RECORDINGS = {"5 min": 5 * 60, "2.5 h": int(2.5 * 3600)}
RATE = 8000


def _recording(path: Path, seconds: int) -> Path:
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(16)
    with sf.SoundFile(path, "w", samplerate=RATE, channels=1, subtype="PCM_16", format="WAV") as out:
        for start in range(0, seconds, 60):
            frames = min(60, seconds - start) * RATE
            out.write((rng.standard_normal(frames) * 50).astype(np.int16))
    return path


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _count_app_requests() -> list[str]:
    """The host of every request the app's own code sends (inside its two entry points), so the
    local host's blob-trigger and queue-listener requests (the Functions host's in Azure) are not
    counted."""
    import contextvars

    import aiohttp

    from transcriber.entry import triggers

    in_app: contextvars.ContextVar[bool] = contextvars.ContextVar("in_app", default=False)
    seen: list[str] = []
    original = aiohttp.ClientSession._request

    async def counting(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
        if in_app.get():
            seen.append(urlsplit(str(url)).netloc)
        return await original(self, method, url, *args, **kwargs)

    def marked(entry):  # type: ignore[no-untyped-def]
        async def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            in_app.set(True)
            return await entry(*args, **kwargs)

        return run

    aiohttp.ClientSession._request = counting  # type: ignore[method-assign]
    triggers.handle_blob = marked(triggers.handle_blob)  # type: ignore[method-assign]
    triggers.handle_job_message = marked(triggers.handle_job_message)  # type: ignore[method-assign]
    return seen


async def _run_job(host, name: str, connection: str) -> None:  # type: ignore[no-untyped-def]
    """The blob event, then the jobs queue's messages as they become visible, until the outputs exist."""
    from azure.storage.blob.aio import BlobServiceClient

    delivery = await host.blob_event(AUDIO, name)
    if delivery.status != "succeeded":
        raise RuntimeError(f"{name}: {delivery.status} {delivery.errors}")
    deadline = time.monotonic() + 1800
    async with BlobServiceClient.from_connection_string(connection) as admin:
        output = admin.get_blob_client(TRANSCRIPTS, f"{name}.json")
        while not await output.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}: no transcript after 30 minutes")
            for done in await host.queue_listener("run_transcription_job").drain():
                if done.status != "succeeded":
                    raise RuntimeError(f"{name}: a job message was {done.status}")
            await asyncio.sleep(0.3)


def _child(name: str) -> None:
    from devtools.functions_host import FunctionsHost

    requests = _count_app_requests()
    host = FunctionsHost.start(ROOT)
    connection = os.environ["BENCH_ADMIN_CONNECTION"]
    speech = urlsplit(os.environ["AZURE_SPEECH_ENDPOINT"]).netloc
    storage = {urlsplit(os.environ[f"AudioStorage__{kind}ServiceUri"]).netloc for kind in ("blob", "queue")}

    async def run() -> dict[str, float]:
        await _run_job(host, "warm-up.wav", connection)
        before = len(requests)
        tracemalloc.start()
        await _run_job(host, name, connection)
        heap = tracemalloc.get_traced_memory()[1]
        measured = requests[before:]
        return {
            "peak_rss_mb": _peak_rss_mb(),
            "heap_peak_mb": heap / 1e6,
            # Speech: its API and its result files; storage: blob and queue requests
            "speech": sum(1 for netloc in measured if netloc == speech),
            "storage": sum(1 for netloc in measured if netloc in storage),
        }

    print(json.dumps(asyncio.run(run())))


def _measure(env: dict[str, str], name: str) -> dict[str, float]:
    from bench.stack import run_child

    return run_child("bench.bench_batch", env, name)


def main() -> None:
    from azure.storage.blob import BlobServiceClient
    from azure.storage.queue import QueueClient

    from bench.stack import identity_stack

    with identity_stack() as (certs, azurite, identity_env), tempfile.TemporaryDirectory() as tmp:
        verify = {"connection_verify": str(certs.ca_bundle)}
        admin = BlobServiceClient.from_connection_string(azurite.connection_string, **verify)
        for container in (AUDIO, TRANSCRIPTS, FAILURES):  # identity: the app creates none
            admin.create_container(container)
        QueueClient.from_connection_string(azurite.connection_string, QUEUE, **verify).create_queue()
        for label, seconds in {"warm-up": 90, **RECORDINGS}.items():
            path = _recording(Path(tmp) / f"{label}.wav", seconds)
            with path.open("rb") as data:
                admin.get_blob_client(AUDIO, f"{label}.wav").upload_blob(data, max_concurrency=4)
            path.unlink()
        env = {
            **identity_env,
            "TRANSCRIPTION_JOBS_QUEUE": QUEUE,
            "MAX_AUDIO_SECONDS": "60",
            "BATCH_POLL_INITIAL_SECONDS": "1",
            "BATCH_POLL_MAX_SECONDS": "1",
            "BENCH_ADMIN_CONNECTION": azurite.connection_string,
        }
        print(
            f"{'batch route':<12}{'audio MB':>9}{'peak RSS MB':>12}{'heap peak MB':>14}"
            f"{'Speech calls':>14}{'storage req.':>14}{'Speech/h':>10}{'storage/h':>11}"
        )
        figures = {}
        for label, seconds in RECORDINGS.items():
            measured = _measure(env, f"{label}.wav")
            hours = seconds / 3600
            figures[label] = measured
            print(
                f"{label:<12}{seconds * RATE * 2 / 1e6:>9.0f}{measured['peak_rss_mb']:>12.1f}{measured['heap_peak_mb']:>14.1f}"
                f"{measured['speech']:>14.0f}{measured['storage']:>14.0f}"
                f"{measured['speech'] / hours:>10.1f}{measured['storage'] / hours:>11.1f}"
            )
        short, long = figures["5 min"], figures["2.5 h"]
        audio_mb = (RECORDINGS["2.5 h"] - RECORDINGS["5 min"]) * RATE * 2 / 1e6
        print(
            f"peak RSS 2.5 h / 5 min: {long['peak_rss_mb'] / short['peak_rss_mb']:.2f} "
            f"({long['peak_rss_mb'] - short['peak_rss_mb']:+.1f} MB for {audio_mb:.0f} MB more audio: "
            "the app never downloads it; what grows is the transcript, 30 times longer, "
            f"heap peak {long['heap_peak_mb']:.1f} MB against {short['heap_peak_mb']:.1f} MB)"
        )
        admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        main()
