"""Whose CPU a blob costs when Microsoft's runtime runs the app behind the host stand-in.

bench_concurrency calls the trigger's handler directly, so its CPU figure is the app's alone.
Here blobs go through devtools/functions_host in one process, as the tests run them: the host
stand-in's share (reading the blob's properties, building invocations, retries) is the Functions
host's work in production, a separate .NET process; Microsoft's Python worker (the runtime and
the SDK-type blob binding, which builds a BlobClient per invocation) and the app share the
worker process. The CPU is measured on one pass; a second pass samples the event loop's stack
every millisecond to split it (`StackSampler`); the loop's own I/O callbacks (aiohttp reading
responses, for the app and the stand-in alike) are shown apart.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections import Counter
from typing import Any

from bench.stack import AUDIO, ROOT, local_stack, run_child

BLOBS, CONCURRENCY = 100, 16
LATENCY_S = 0.5


def _child() -> None:
    from devtools.functions_host import FunctionsHost

    host = FunctionsHost.start(ROOT)

    async def burst(prefix: str, count: int) -> None:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(n: int) -> None:
            async with gate:
                delivery = await host.blob_event(AUDIO, f"{prefix}-{n}.wav")
                assert delivery.status == "succeeded", delivery

        await asyncio.gather(*(one(n) for n in range(count)))

    async def run() -> dict[str, float]:
        await burst("warm", CONCURRENCY)
        cpu = time.process_time()
        await burst("plain", BLOBS)
        cpu = time.process_time() - cpu
        sampler = StackSampler(threading.get_ident())
        sampler.start()
        await burst("sampled", BLOBS)
        sampler.stop()
        return {"cpu_per_blob": cpu / BLOBS, **sampler.shares()}

    print(json.dumps(asyncio.run(run())))


class StackSampler(threading.Thread):
    """Samples one thread's stack every millisecond and names whose code was running: the app's
    (under function_app's trigger), the worker's (under the stand-in's call into the runtime), the
    host stand-in's, or the event loop's own (I/O callbacks). Samples of an idle loop are dropped.
    """

    def __init__(self, target: int) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.counts: Counter[str] = Counter()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.001):
            frame = sys._current_frames().get(self.target)
            if frame is not None:
                self.counts[_whose(frame)] += 1

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def shares(self) -> dict[str, float]:
        busy = {k: v for k, v in self.counts.items() if k != "idle"}
        total = sum(busy.values()) or 1
        return {name: busy.get(name, 0) / total for name in ("app", "worker", "host", "loop")}


def _whose(frame: Any) -> str:
    files = []
    while frame is not None:
        files.append((frame.f_code.co_filename, frame.f_code.co_name))
        frame = frame.f_back
    innermost = files[0]
    if innermost[1] in ("select", "poll") and innermost[0].endswith("selectors.py"):
        return "idle"
    if any(f.endswith("function_app.py") for f, _ in files):
        return "app"
    if any(f.endswith("functions_host/worker.py") or "azure_functions_runtime" in f for f, _ in files):
        return "worker"
    if any("functions_host" in f for f, _ in files):
        return "host"
    return "loop"


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    from bench.bench_concurrency import _wav

    with local_stack() as stack:
        admin = BlobServiceClient.from_connection_string(stack.azurite.connection_string)
        admin.create_container(AUDIO)
        audio = _wav()
        for prefix, count in (("warm", CONCURRENCY), ("plain", BLOBS), ("sampled", BLOBS)):
            for n in range(count):
                admin.get_blob_client(AUDIO, f"{prefix}-{n}.wav").upload_blob(audio)
        admin.close()
        stack.delay_speech(LATENCY_S, 10_000)
        env = stack.child_env(AUDIO_CONTAINER=AUDIO, BLOB_TRIGGER_SOURCE="LogsAndContainerScan")
        got = run_child("bench.bench_host_share", env)
    per_blob = got["cpu_per_blob"] * 1000
    parts = ", ".join(
        f"{label} {got[key] * per_blob:.1f} ms ({got[key]:.0%})"
        for key, label in (
            ("app", "app"),
            ("worker", "Microsoft's worker and blob binding"),
            ("host", "host stand-in (the .NET host's in production)"),
            ("loop", "event loop and I/O callbacks"),
        )
    )
    print(f"{'CPU per blob through the host stand-in':<44}{per_blob:.1f} ms in one process: {parts}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child()
    else:
        main()
