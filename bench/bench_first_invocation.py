"""First invocation against warm ones, in fresh worker processes (echo engine, Azurite).

A cold start as the proxy worker runs it: each trial is a new process that starts the project's
Functions host on its one event loop (WorkerInitRequest: the runtime imports and indexes
function_app; then metadata and load), then serves invocations on that same loop. The first
invocation is timed from its arrival; "warm" is the median of the next ones. It arrives either
after the host's own start-up (listeners, routes: a fixed HOST_START_S, the same for both trees,
during which the app's warm-up runs) or at once after indexing (no host start-up at all, the
worst case: it then waits for the warm-up's imports). "index" is init to the last load response,
which the host waits for; "warm-up" is indexing's end to the warm-up thread's end.

Trials are interleaved (every tree, trigger and arrival once per round, rounds repeated), so all
rows see the same machine; each figure is the median over trials, with the spread of the
per-trial first/warm ratios (min-max).
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.stack import AUDIO, ROOT, Stack, local_stack, run_child, verdict

# Where a tree keeps its warm-up: transcriber.entry (now), transcriber (before #21), none (before #12).
WARM_UP_MODULES = ("transcriber.entry.warmup", "transcriber.warmup")


def _join_warm_up() -> Any:
    for name in WARM_UP_MODULES:
        try:
            return importlib.import_module(name).join_warm_up
        except ModuleNotFoundError:
            continue
    return None


WARM_RUNS = 8
TRIALS = 7
GOAL = 2.0
HOST_START_S = 0.5
CONTAINERS = (AUDIO, "transcripts")  # create them before any trial
ARRIVALS = {"start-up": f"after {HOST_START_S:g} s host start-up", "at-once": "at once after indexing"}


def _wav() -> bytes:
    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000, dtype=np.int16), 16000, format="WAV")
    return buffer.getvalue()


def _child(kind: str, prefix: str, arrival: str, app_dir: str) -> None:
    audio = _wav()

    async def run() -> dict[str, float | None]:
        from devtools.functions_host import FunctionsHost

        started = time.perf_counter()
        host = await FunctionsHost.start_on_loop(app_dir)  # init imports and indexes function_app
        indexed = time.perf_counter()
        join_warm_up = _join_warm_up()
        warm_up_done: list[float] = []

        async def watch_warm_up() -> None:
            if join_warm_up is not None:
                await asyncio.to_thread(join_warm_up)
                warm_up_done.append(time.perf_counter())

        watcher = asyncio.create_task(watch_warm_up())
        if arrival == "start-up":
            await asyncio.sleep(HOST_START_S)

        async def invoke(n: int) -> float:
            clock = time.perf_counter()
            if kind == "http":
                response = await host.http(
                    "POST",
                    "https://app/api/transcribe",
                    audio,
                    {"Content-Type": "audio/wav", "x-functions-key": host.keys.function_key},
                )
                assert response.status_code == 200, response.get_body()
            else:
                delivery = await host.blob_event(AUDIO, f"{prefix}-{n}.wav")
                assert delivery.status == "succeeded", delivery.errors
            return (time.perf_counter() - clock) * 1000

        first = await invoke(0)
        warm = [await invoke(n + 1) for n in range(WARM_RUNS)]
        await watcher
        return {
            "index_ms": (indexed - started) * 1000,
            "warm_up_ms": (warm_up_done[0] - indexed) * 1000 if warm_up_done else None,
            "first_ms": first,
            "warm_ms": statistics.median(warm),
        }

    print(json.dumps(asyncio.run(run())))


def first_invocation(
    stack: Stack, admin: Any, tree: Path | None, kind: str, arrival: str, prefix: str
) -> dict[str, Any]:
    """One trial in a fresh worker process of the app in `tree` (None: this checkout), the echo
    engine answering at once; a blob trial's blobs are named `<prefix>-<n>.wav`."""
    stack.delay_speech(0, 0)
    env = stack.child_env()
    if tree is not None:  # that tree's function_app and transcriber; bench and devtools from here
        env["PYTHONPATH"] = f"{tree}:{env['PYTHONPATH']}"
    if kind == "blob":
        audio = _wav()
        for n in range(WARM_RUNS + 1):
            admin.get_blob_client(AUDIO, f"{prefix}-{n}.wav").upload_blob(audio)
    app_dir = tree or ROOT
    return run_child("bench.bench_first_invocation", env, kind, prefix, arrival, str(app_dir), cwd=app_dir)


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    from bench.baseline import baseline_tree

    with local_stack() as stack, baseline_tree() as old_tree:
        admin = BlobServiceClient.from_connection_string(stack.azurite.connection_string)
        for container in CONTAINERS:
            admin.create_container(container)
        trees = [("now", None)] + ([("before #12", old_tree)] if old_tree else [])
        configs = [
            (label, tree, kind, arrival)
            for label, tree in trees
            for kind in ("http", "blob")
            for arrival in ARRIVALS
        ]
        runs: dict[tuple[str, str, str], list[dict[str, float]]] = {
            (label, kind, arrival): [] for label, _, kind, arrival in configs
        }
        for trial in range(TRIALS):  # interleaved: each round runs every row once
            for label, tree, kind, arrival in configs:
                prefix = f"{label[:3]}-{kind}-{arrival}-{trial}"
                runs[(label, kind, arrival)].append(
                    first_invocation(stack, admin, tree, kind, arrival, prefix)
                )
        print(
            f"{TRIALS} interleaved trials, each a fresh worker process; medians, spread of first/warm min-max"
        )
        print(
            f"{'app':<11}{'trigger':<8}{'first arrives':<30}{'index ms':>9}{'warm-up ms':>11}"
            f"{'first ms':>9}{'warm ms':>8}{'first/warm':>11}{'spread':>11}"
        )
        ratios: dict[tuple[str, str, str], float] = {}
        for key, trials in runs.items():
            label, kind, arrival = key
            per_trial = [t["first_ms"] / t["warm_ms"] for t in trials]
            ratios[key] = statistics.median(per_trial)
            warm_ups = [t["warm_up_ms"] for t in trials if t["warm_up_ms"] is not None]
            warm_up = f"{statistics.median(warm_ups):.0f}" if warm_ups else "none"
            print(
                f"{label:<11}{kind:<8}{ARRIVALS[arrival]:<30}"
                f"{statistics.median(t['index_ms'] for t in trials):>9.0f}{warm_up:>11}"
                f"{statistics.median(t['first_ms'] for t in trials):>9.1f}"
                f"{statistics.median(t['warm_ms'] for t in trials):>8.1f}"
                f"{ratios[key]:>10.2f}x{_spread(per_trial):>11}"
            )
        for kind in ("http", "blob"):
            now = ratios[("now", kind, "start-up")]
            before = ratios.get(("before #12", kind, "start-up"))
            base = f"before #12 {before:.2f}x" if before is not None else "before #12: no git history"
            print(
                f"goal {kind} first/warm after host start-up <= {GOAL:g}x: now {now:.2f}x ({base}): "
                f"{verdict(now <= GOAL)}"
            )
        if old_tree is None:
            print("(no git history here; issue #12 measured 6 to 7 times a warm one before)")
        print(
            "at once after indexing (no host start-up) the first waits for the warm-up's imports, "
            "which an app importing them lazily pays inside the first invocation instead"
        )
        admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:6])
    else:
        main()
