"""First invocation against a warm one, in fresh worker processes (echo engine, Azurite).

Each child starts the project's Functions host, which drives Microsoft's runtime as the real
host does (init imports and indexes function_app, then metadata, load), then serves invocations. The first is timed from its arrival;
warm ones are the median of the next. The first arrives either once the app's warm-up (started
by the import, running while the host finishes its own start-up) is done, or at once, with no
host start-up at all: the worst case, shown beside it. The warm-up's duration is printed too.
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import sys
import time

from bench.stack import AUDIO, ROOT, local_stack, run_child, verdict

WARM_RUNS = 10
PROCESSES = 5
GOAL = 2.0


def _wav() -> bytes:
    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000, dtype=np.int16), 16000, format="WAV")
    return buffer.getvalue()


def _child(kind: str, prefix: str, gap: str, app_dir: str) -> None:
    audio = _wav()

    async def run() -> dict[str, float]:
        from devtools.functions_host import FunctionsHost

        host = FunctionsHost.start(app_dir)  # the runtime imports and indexes function_app
        imported = time.perf_counter()
        if gap == "warm":
            try:
                from transcriber.warmup import wait_for_warm_up
            except ImportError:  # the app before #12 had no warm-up
                wait_for_warm_up = None  # type: ignore[assignment]
            if wait_for_warm_up is not None:
                await asyncio.to_thread(wait_for_warm_up)
            await asyncio.sleep(0.2)  # the host's own start-up, the same for both trees
        warm_up_ms = (time.perf_counter() - imported) * 1000

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
        return {"first_ms": first, "warm_ms": statistics.median(warm), "warm_up_ms": warm_up_ms}

    print(json.dumps(asyncio.run(run())))


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    from bench.baseline import baseline_tree

    with local_stack() as stack, baseline_tree() as old_tree:
        admin = BlobServiceClient.from_connection_string(stack.azurite.connection_string)
        for container in (AUDIO, "transcripts"):
            admin.create_container(container)
        audio = _wav()
        print(f"{'app':<12}{'trigger':<8}{'arrives':>22}{'first ms':>10}{'warm ms':>9}{'first/warm':>12}")
        trees = [("now", None)] + ([("before #12", old_tree)] if old_tree else [])
        for label, tree in trees:
            env = stack.child_env()
            if tree is not None:
                env["PYTHONPATH"] = f"{tree}:{env['PYTHONPATH']}"
            for kind in ("http", "blob"):
                gaps = (
                    (("warm", "after start-up"), ("now", "at once (worst)"))
                    if tree is None
                    else (("warm", "after start-up"),)
                )
                for gap, arrives in gaps:
                    runs = []
                    for process in range(PROCESSES):
                        prefix = f"{label[:3]}-{kind}-{gap}-{process}"
                        for n in range(WARM_RUNS + 1):
                            admin.get_blob_client(AUDIO, f"{prefix}-{n}.wav").upload_blob(audio)
                        app_dir = str(tree or ROOT)
                        runs.append(
                            run_child(
                                "bench.bench_first_invocation",
                                env,
                                kind,
                                prefix,
                                gap,
                                app_dir,
                                cwd=tree or ROOT,
                            )
                        )
                    first = statistics.median(r["first_ms"] for r in runs)
                    warm = statistics.median(r["warm_ms"] for r in runs)
                    goal = (
                        f"goal <= {GOAL:g}x: {verdict(first / warm <= GOAL)}"
                        if (gap, tree) == ("warm", None)
                        else ""
                    )
                    print(
                        f"{label:<12}{kind:<8}{arrives:>22}{first:>10.1f}{warm:>9.1f}{first / warm:>11.2f}x  {goal}"
                    )
        if old_tree is None:
            print("(no git history here; issue #12 measured 6 to 7 times a warm one before)")
        print("'after start-up': the warm-up (if any) done, plus 0.2 s; 'at once': straight after indexing")
        admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:6])
    else:
        main()
