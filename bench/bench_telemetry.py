"""What telemetry costs an invocation when ingestion answers in 0.2 s, and what reaches it at exit.

HTTP invocations of function_app (echo engine) in fresh processes: telemetry off, telemetry on
as the app does it now (the invocation starts its export and returns), and the baseline before
issue #12 (the invocation awaited its flush in the loop's default thread pool, as its scope
used to). Latency is measured one invocation at a time (p50/p95), throughput with 8 at once.
Each process then exits normally; the ingestion server counts the events that arrived.
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import sys
import time
import uuid

from bench.stack import ROOT, local_stack, run_child, verdict

SEQUENTIAL = 40
CONCURRENT = 64
AT_ONCE = 8
INGESTION_SECONDS = 0.2
GOAL_ADDED_P95_MS = 10.0


def _wav() -> bytes:
    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(8000, dtype=np.int16), 16000, format="WAV")
    return buffer.getvalue()


def _child(mode: str, sequential: str, concurrent: str) -> None:
    audio = _wav()

    async def run() -> dict[str, object]:
        from devtools.functions_host import FunctionsHost
        from transcriber.entry import warmup
        from transcriber.services import process_telemetry

        host = FunctionsHost.start(ROOT)
        await asyncio.to_thread(warmup.join_warm_up)
        headers = {"Content-Type": "audio/wav", "x-functions-key": host.keys.function_key}

        async def invoke() -> float:
            clock = time.perf_counter()
            reply = await host.http("POST", "https://app/api/transcribe", audio, headers)
            assert reply.status_code == 200, reply.get_body()
            telemetry = process_telemetry()
            if mode == "baseline" and telemetry is not None:  # the scope's exit before #12
                await asyncio.to_thread(telemetry.flush)
            return (time.perf_counter() - clock) * 1000

        for _ in range(3):
            await invoke()
        latencies = [await invoke() for _ in range(int(sequential))]
        gate = asyncio.Semaphore(AT_ONCE)

        async def gated() -> float:
            async with gate:
                return await invoke()

        clock = time.perf_counter()
        await asyncio.gather(*(gated() for _ in range(int(concurrent))))
        rps = int(concurrent) / (time.perf_counter() - clock)
        return {"latencies": latencies, "rps": rps, "sent": 3 + int(sequential) + int(concurrent)}

    print(json.dumps(asyncio.run(run())))  # then a normal exit: atexit shuts telemetry down


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    from devtools.ingestion import INSTRUMENTATION_KEY, IngestionServer

    with local_stack() as stack, IngestionServer() as ingestion:
        ingestion.stall(INGESTION_SECONDS)
        base_env = stack.child_env()
        print(f"ingestion round trip {INGESTION_SECONDS} s; HTTP function, echo engine")
        print(f"{'telemetry':<34}{'p50 ms':>8}{'p95 ms':>8}{'req/s':>8}{'events in/sent':>16}")
        results = {}
        for label, mode, backend, sequential, concurrent in (
            ("off", "off", None, SEQUENTIAL, CONCURRENT),
            ("on, opencensus", "now", "opencensus", SEQUENTIAL, CONCURRENT),
            ("on, opentelemetry", "now", "opentelemetry", SEQUENTIAL, CONCURRENT),
            ("before #12 (flush awaited), opencensus", "baseline", "opencensus", 10, 16),
        ):
            env = dict(base_env)
            if backend:
                ingestion.clear()
                # a fresh key: the exporters' local retry storage is keyed by it
                connection = ingestion.connection_string.replace(INSTRUMENTATION_KEY, str(uuid.uuid4()))
                env |= {"APPLICATIONINSIGHTS_CONNECTION_STRING": connection, "TELEMETRY_BACKEND": backend}
            figures = run_child("bench.bench_telemetry", env, mode, str(sequential), str(concurrent))
            received = len(ingestion.items("EventData", "TranscriptionCompleted")) if backend else 0
            results[label] = figures
            latencies = figures["latencies"]
            counted = f"{received}/{figures['sent']}" if backend else "-"
            print(
                f"{label:<34}{statistics.median(latencies):>8.1f}{_p95(latencies):>8.1f}"
                f"{figures['rps']:>8.1f}{counted:>16}"
            )
            results[label]["received"] = received
        off = results["off"]
        for label in ("on, opencensus", "on, opentelemetry", "before #12 (flush awaited), opencensus"):
            added = _p95(results[label]["latencies"]) - _p95(off["latencies"])
            lost = results[label]["sent"] - results[label]["received"]
            check = (
                f"goal <= {GOAL_ADDED_P95_MS:g} ms: {verdict(added <= GOAL_ADDED_P95_MS)}; "
                f"lost at exit {lost}: {verdict(lost == 0)}"
                if label.startswith("on")
                else "(baseline)"
            )
            print(
                f"{label}: added p95 {added:+.1f} ms, throughput {results[label]['rps'] / off['rps']:.2f}x of off  {check}"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        main()
