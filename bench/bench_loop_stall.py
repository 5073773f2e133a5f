"""How long one invocation with a one-hour transcript holds the worker's event loop.

Whole invocations through the project's Functions host, started on one loop as the proxy worker
runs it, against Azurite and a Speech stand-in answering with a one-hour result (150 words a
minute, word timings, speakers; bench.canned_speech): an HTTP request answered with JSON, one
answered with SRT, and a blob job (the JSON document, .txt, .srt, .vtt written to storage). The
host's own work (request conversion, its blob reads) runs on that loop too and is included.

Two figures per invocation. "hold": the longest single step the loop ran (every callback and
task step timed): the time no other invocation could run because of work on the loop, GIL waits
inside a step included. "ticker": the longest gap between the wake-ups of a 1 ms sleep loop on
the same loop, what another invocation would see, which also counts the machine not scheduling
the process; "idle" is that ticker over an idle loop for as long, in the same process: the
machine's own floor (on 2 shared cores it alone reaches 20-40 ms now and then).

Trials are fresh worker processes, the app beside the one before #12, interleaved; each does
INVOCATIONS of every kind. Figures: the median of the per-invocation values, and their spread
(min-max). Then one process per tree with asyncio's debug mode names the loop's longest steps
(slow-callback log, over 10 ms), to show where any remaining hold is.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.stack import AUDIO, ROOT, local_stack, run_child, verdict
from devtools.local_services import ChildService

GOAL_MS = 20.0
TRIALS = 4
INVOCATIONS = 3
KINDS = ("http json", "http srt", "blob")


def one_hour(words_per_minute: int = 150, seconds: int = 3600) -> dict[str, Any]:
    rng = random.Random(12)
    vocabulary = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "someone",
        "reads",
        "the",
        "minutes",
        "aloud",
    ]
    phrases, clock = [], 0
    while len(phrases) * 12 < words_per_minute * seconds // 60:
        words = []
        for _ in range(12):
            words.append(
                {"text": rng.choice(vocabulary), "offsetMilliseconds": clock, "durationMilliseconds": 320}
            )
            clock += 400
        phrases.append(
            {
                "offsetMilliseconds": words[0]["offsetMilliseconds"],
                "durationMilliseconds": clock - words[0]["offsetMilliseconds"],
                "text": " ".join(w["text"] for w in words) + ".",
                "words": words,
                "locale": "en-US",
                "confidence": 0.93,
                "speaker": len(phrases) % 3 + 1,
            }
        )
    combined = [{"text": " ".join(p["text"] for p in phrases)}]
    return {"durationMilliseconds": seconds * 1000, "combinedPhrases": combined, "phrases": phrases}


def _wav() -> bytes:
    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000, dtype=np.int16), 16000, format="WAV")
    return buffer.getvalue()


class LoopProbe:
    """A task on the loop that wakes every millisecond and keeps the longest gap between wake-ups,
    and the longest single step the loop ran (asyncio's Handle._run, timed)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.longest_step = 0.0
        self._task = asyncio.create_task(self._tick())
        run = asyncio.events.Handle._run
        probe = self

        def timed(handle: asyncio.Handle) -> None:
            started = time.perf_counter()
            try:
                run(handle)
            finally:
                probe.longest_step = max(probe.longest_step, time.perf_counter() - started)

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    async def during(self, work: Awaitable[Any]) -> dict[str, float]:
        """The longest gap and the longest step, in ms, while `work` ran, and its wall time."""
        await asyncio.sleep(0.01)
        self.longest = self.longest_step = 0.0
        started = time.perf_counter()
        await work
        wall = time.perf_counter() - started
        await asyncio.sleep(0.002)  # the probe's wake-up right after the work
        return {"ticker": self.longest * 1000, "hold": self.longest_step * 1000, "wall": wall}

    def stop(self) -> None:
        self._task.cancel()


def _child(prefix: str, app_dir: str, debug: str) -> None:
    audio = _wav()
    slow: list[str] = []

    class SlowCallbacks(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            slow.append(record.getMessage())

    async def run() -> dict[str, Any]:
        from devtools.functions_host import FunctionsHost

        loop = asyncio.get_running_loop()
        host = await FunctionsHost.start_on_loop(app_dir)
        try:
            from transcriber.entry.warmup import join_warm_up

            await asyncio.to_thread(join_warm_up)
        except ImportError:  # the app before #12 had no warm-up
            pass
        await asyncio.sleep(0.5)  # the host's start-up; the warm-up's start-up checks finish
        if debug == "debug":
            loop.set_debug(True)
            loop.slow_callback_duration = 0.010
            logging.getLogger("asyncio").addHandler(SlowCallbacks())
        probe = LoopProbe()
        stalls: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        idle: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        for n in range(INVOCATIONS):
            for kind in KINDS:
                figures = await probe.during(_invoke(host, kind, f"{prefix}-{n}.wav", audio))
                stalls[kind].append(figures)
                idle[kind].append(await probe.during(asyncio.sleep(figures["wall"])))
        probe.stop()
        return {"stalls": stalls, "idle": idle, "slow": slow}

    print(json.dumps(asyncio.run(run())))


async def _invoke(host: Any, kind: str, blob: str, audio: bytes) -> None:
    if kind == "blob":
        delivery = await host.blob_event(AUDIO, blob)
        assert delivery.status == "succeeded", (
            delivery.invocations[-1].error if delivery.invocations else delivery
        )
        return
    query = "" if kind == "http json" else "?format=srt"
    response = await host.http(
        "POST",
        f"https://app/api/transcribe{query}",
        audio,
        {"Content-Type": "audio/wav", "x-functions-key": host.keys.function_key},
    )
    assert response.status_code == 200, response.get_body()[:500]


@contextmanager
def _hour_speech(body: bytes) -> Iterator[str]:
    """The Speech stand-in in its own process (its work must not take the app's GIL)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(body)
        file.flush()
        command = [sys.executable, "-m", "bench.canned_speech", file.name]
        with ChildService("the Speech stand-in", command, cwd=ROOT) as server:
            yield server.wait_for_output(r"endpoint: (\S+)", timeout=60).group(1)


def _slowest(messages: list[str], count: int = 3) -> list[str]:
    def seconds(message: str) -> float:
        found = re.search(r"took ([\d.]+) seconds", message)
        return float(found.group(1)) if found else 0.0

    return [
        f"{seconds(m) * 1000:6.1f} ms  {re.sub(r' at 0x[0-9a-f]+', '', m)[:150]}"
        for m in sorted(messages, key=seconds, reverse=True)[:count]
    ]


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    from bench.baseline import baseline_tree

    body = json.dumps(one_hour()).encode()
    with local_stack() as stack, baseline_tree() as old_tree, _hour_speech(body) as endpoint:
        admin = BlobServiceClient.from_connection_string(stack.azurite.connection_string)
        for container in (AUDIO, "transcripts"):
            admin.create_container(container)
        audio = _wav()
        trees = [("now", None)] + ([("before #12", old_tree)] if old_tree else [])
        figures: dict[tuple[str, str, str], list[float]] = {}
        slow: dict[str, list[str]] = {}

        def child(label: str, tree: Path | None, prefix: str, debug: str) -> dict[str, Any]:
            env = stack.child_env(AZURE_SPEECH_ENDPOINT=endpoint)
            if tree is not None:
                env["PYTHONPATH"] = f"{tree}:{env['PYTHONPATH']}"
            for n in range(INVOCATIONS):
                admin.get_blob_client(AUDIO, f"{prefix}-{n}.wav").upload_blob(audio)
            return run_child(
                "bench.bench_loop_stall", env, prefix, str(tree or ROOT), debug, cwd=tree or ROOT
            )

        for trial in range(TRIALS):  # interleaved: each round runs both trees
            for label, tree in trees:
                out = child(label, tree, f"{label[:3]}-{trial}", "plain")
                for kind in KINDS:
                    for measure in ("hold", "ticker"):
                        figures.setdefault((label, kind, measure), []).extend(
                            f[measure] for f in out["stalls"][kind]
                        )
                    figures.setdefault((label, kind, "idle"), []).extend(
                        f["ticker"] for f in out["idle"][kind]
                    )
        for label, tree in trees:
            slow[label] = child(label, tree, f"{label[:3]}-debug", "debug")["slow"]

        def cell(key: tuple[str, str, str]) -> str:
            values = figures[key]
            return f"{statistics.median(values):6.1f} ({min(values):5.1f}-{max(values):6.1f})"

        print(
            f"one-hour transcript: {len(body) / 1e6:.1f} MB of service JSON; ms per invocation, "
            f"{TRIALS} fresh workers x {INVOCATIONS} invocations, median (min-max)"
        )
        print(f"{'':<11}{'app':<11}{'hold (longest step)':>22}{'ticker gap':>22}{'idle ticker':>22}")
        for kind in KINDS:
            for label, _ in trees:
                row = "".join(f"{cell((label, kind, m)):>22}" for m in ("hold", "ticker", "idle"))
                print(f"{kind:<11}{label:<11}{row}")
        for kind in KINDS:
            for measure in ("hold", "ticker"):
                now = statistics.median(figures[("now", kind, measure)])
                before = figures.get(("before #12", kind, measure))
                base = (
                    f"before #12 {statistics.median(before):.1f} ms"
                    if before
                    else "before #12: no git history"
                )
                print(
                    f"goal {kind}, {measure} <= {GOAL_MS:g} ms: now {now:.1f} ms ({base}; idle "
                    f"{statistics.median(figures[('now', kind, 'idle')]):.1f} ms): {verdict(now <= GOAL_MS)}"
                )
        for label, messages in slow.items():
            print(f"{label}: the loop's steps over 10 ms (asyncio debug mode, one worker):")
            for line in _slowest(messages) or ["   none"]:
                print(f"  {line}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        main()
