"""A burst against the Speech quota (issue #22): N recordings copied at once, Q requests a minute.

N recordings (BURST_BLOBS, default 1000) are uploaded to the audio container, then every blob
event is delivered at once through the local Functions host (devtools/functions_host) in a child
process, as the Event Grid blob trigger delivers them: up to host.json's maxDegreeOfParallelism
invocations at a time, a failed invocation re-delivered at once, poisonBlobThreshold tries. The
host's listener on the jobs queue runs meanwhile, so versions the app defers come back. Speech is
the emulator (echo engine) with `--quota-rpm Q`: beyond Q requests a minute it answers 429 with
Retry-After, as the live service does. The app is told nothing of Q.

Three runs: Q=120, Q=600, and Q=600 shared by two host processes (two instances: each delivers
half the events and runs its own queue listener) on one emulator and one Azurite. Storage is
polled for each blob's outcome (its transcript JSON, or a final failure record) until all have
one or 3x the ideal + 60 s have passed. Printed per run: the share transcribed, final failures,
Speech requests and 429s per blob (from the emulator's journal), and the drain time (first event
to the last outcome) against the ideal N / Q minutes. Goal: 100% transcribed, no final failure,
drain at most 1.2x the ideal, at most 0.5 429s per blob.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from bench.stack import AUDIO, ROOT, Stack, local_stack, verdict

DEFAULT_BLOBS = 1000
RUNS: tuple[tuple[int, int], ...] = ((120, 1), (600, 1), (600, 2))  # (requests a minute, host processes)
TRANSCRIPTS, FAILURES = "transcripts", "transcription-failures"
JOBS_FUNCTION = "run_transcription_job"
POLL_SECONDS = 1.0
GOAL_DRAIN_RATIO, GOAL_429_PER_BLOB = 1.2, 0.5


def _name(n: int) -> str:
    return f"burst-{n:05d}.wav"


# The child: one host process delivering its share of the events, listening to the jobs queue.


def _child(first: int, count: int) -> None:
    from devtools.functions_host import FunctionsHost

    host = FunctionsHost.start(ROOT)

    async def run() -> dict[str, Any]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def wait_for_stdin_eof() -> None:
            sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=wait_for_stdin_eof, daemon=True).start()
        jobs: Counter[str] = Counter()
        listen_errors: list[str] = []
        listener = host.queue_listener(JOBS_FUNCTION)
        listening = asyncio.create_task(
            listener.listen(
                lambda d: jobs.update([d.status]), on_error=lambda e: listen_errors.append(str(e))
            )
        )
        print(json.dumps({"first_event_at": time.time()}), flush=True)
        names = [_name(n) for n in range(first, first + count)]
        delivered = await asyncio.gather(
            *(host.blob_event(AUDIO, name) for name in names), return_exceptions=True
        )
        deliveries = Counter(
            type(d).__name__ if isinstance(d, BaseException) else d.status for d in delivered
        )
        invocations = sum(len(d.invocations) for d in delivered if not isinstance(d, BaseException))
        print(json.dumps({"events_done_at": time.time()}), flush=True)
        await stop.wait()
        listening.cancel()
        return {
            "deliveries": dict(deliveries),
            "invocations": invocations,
            "jobs": dict(jobs),
            "listen_errors": listen_errors[-3:],
        }

    print(json.dumps({"summary": asyncio.run(run())}), flush=True)


# The parent: the stack, the uploads, the host processes, the outcomes.


@dataclass
class HostProcess:
    """One child host: its process, its stdout lines as JSON (read by a thread) and its log file."""

    process: subprocess.Popen[str]
    log: IO[str]
    lines: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    seen: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, env: dict[str, str], first: int, count: int, log: IO[str]) -> HostProcess:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_burst", "--child", str(first), str(count)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        child = cls(process, log)
        threading.Thread(target=child._read, daemon=True).start()
        return child

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def wait_for(self, key: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while key not in self.seen:
            try:
                self.seen.update(self.lines.get(timeout=0.2))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    raise RuntimeError(
                        f"a host process exited ({self.process.returncode}):\n{self.tail()}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"a host process gave no {key} in {timeout:.0f} s:\n{self.tail()}"
                    ) from None
        return self.seen[key]

    def stop(self) -> dict[str, Any]:
        """Ask it to stop (stdin closed) and return its summary."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            summary = self.wait_for("summary", 60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(10)
        return dict(summary)

    def tail(self) -> str:
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as log:
            return log.read()[-4000:]


@dataclass
class Outcomes:
    """Each blob's outcome as storage shows it, and when it was first seen."""

    blobs: int
    seen_at: dict[str, float] = field(default_factory=dict)
    transcribed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    _record_etags: dict[str, str] = field(default_factory=dict)

    def poll(self, admin: Any) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        now = time.time()
        try:
            for blob in admin.get_container_client(TRANSCRIPTS).list_blobs(name_starts_with="burst-"):
                if blob.name.endswith(".wav.json"):
                    source = blob.name.removesuffix(".json")
                    self.transcribed.add(source)
                    self.seen_at.setdefault(source, now)
            records = admin.get_container_client(FAILURES)
            for blob in records.list_blobs(name_starts_with="failed/burst-"):
                source = blob.name.removeprefix("failed/").removesuffix(".json")
                if source in self.seen_at or self._record_etags.get(source) == blob.etag:
                    continue
                self._record_etags[source] = blob.etag
                record = json.loads(records.get_blob_client(blob.name).download_blob().readall())
                if record.get("final"):
                    self.failed.add(source)
                    self.seen_at.setdefault(source, now)
        except ResourceNotFoundError:  # the app has not created its containers yet
            pass

    @property
    def done(self) -> bool:
        return len(self.seen_at) >= self.blobs


def _upload(stack: Stack, blobs: int) -> Any:
    from azure.storage.blob import BlobServiceClient

    from bench.bench_concurrency import _wav

    admin = BlobServiceClient.from_connection_string(stack.azurite.connection_string)
    admin.create_container(AUDIO)
    audio = _wav()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: admin.get_blob_client(AUDIO, _name(n)).upload_blob(audio), range(blobs)))
    return admin


def _run(blobs: int, quota_rpm: int, hosts: int) -> dict[str, Any]:
    ideal = blobs / (quota_rpm / 60)
    cap = 3 * ideal + 60
    speech_args = ("--quota-rpm", str(quota_rpm), "--log-level", "WARNING")
    with local_stack(speech_args=speech_args) as stack, tempfile.TemporaryDirectory() as tmp:
        admin = _upload(stack, blobs)
        env = stack.child_env(AUDIO_CONTAINER=AUDIO)
        shares = [(blobs * i // hosts, blobs * (i + 1) // hosts) for i in range(hosts)]
        logs = [open(os.path.join(tmp, f"host-{i}.log"), "w+", encoding="utf-8") for i in range(hosts)]  # noqa: SIM115
        children = [
            HostProcess.start(env, lo, hi - lo, log) for (lo, hi), log in zip(shares, logs, strict=True)
        ]
        try:
            first_event = min(child.wait_for("first_event_at", 120) for child in children)
            outcomes = Outcomes(blobs)
            while not outcomes.done and time.time() - first_event < cap:
                time.sleep(POLL_SECONDS)
                outcomes.poll(admin)
                if any(child.process.poll() is not None for child in children):
                    broken = next(child for child in children if child.process.poll() is not None)
                    raise RuntimeError(f"a host process exited early:\n{broken.tail()}")
            summaries = [child.stop() for child in children]
        finally:
            for child in children:
                if child.process.poll() is None:
                    child.process.kill()
                    child.process.wait(10)
            for log in logs:
                log.close()
        outcomes.poll(admin)
        journal = stack.speech_requests()
        admin.close()
    transcribe = [entry for entry in journal if entry["operation"] == "transcribe"]
    last = max(outcomes.seen_at.values(), default=first_event)
    return {
        "blobs": blobs,
        "quota_rpm": quota_rpm,
        "hosts": hosts,
        "ideal": ideal,
        "capped": not outcomes.done,
        "drain": last - first_event,
        "transcribed": len(outcomes.transcribed),
        "final_failures": len(outcomes.failed - outcomes.transcribed),
        "missing": sorted({_name(n) for n in range(blobs)} - set(outcomes.seen_at)),
        "requests": len(transcribe),
        "throttled": sum(1 for entry in journal if entry["status"] == 429),
        "deliveries": sum((Counter(s["deliveries"]) for s in summaries), Counter()),
        "invocations": sum(s["invocations"] for s in summaries),
        "jobs": sum((Counter(s["jobs"]) for s in summaries), Counter()),
        "listen_errors": [e for s in summaries for e in s["listen_errors"]],
    }


def _report(got: dict[str, Any]) -> None:
    blobs, hosts = got["blobs"], got["hosts"]
    label = f"burst {blobs} at {got['quota_rpm']}/min, {hosts} host{'s' if hosts > 1 else ''}"
    transcribed = got["transcribed"] / blobs
    requests, throttled = got["requests"] / blobs, got["throttled"] / blobs
    ratio = got["drain"] / got["ideal"]
    drain = f"drain {got['drain']:.0f} s vs ideal {got['ideal']:.0f} s ({ratio:.2f}x)"
    if got["capped"]:
        drain += f"; stopped at the cap with {len(got['missing'])} without an outcome"
    print(
        f"{label:<44}transcribed {transcribed:.1%}, final failures {got['final_failures']}, "
        f"Speech requests/blob {requests:.2f}, 429s/blob {throttled:.2f}, {drain}"
    )
    deliveries = ", ".join(f"{k} {v}" for k, v in sorted(got["deliveries"].items()))
    jobs = ", ".join(f"{k} {v}" for k, v in sorted(got["jobs"].items())) or "none"
    print(f"{'':<44}blob deliveries: {deliveries} ({got['invocations']} invocations); job messages: {jobs}")
    if got["missing"]:
        print(
            f"{'':<44}no outcome: {', '.join(got['missing'][:5])}{' ...' if len(got['missing']) > 5 else ''}"
        )
    if got["listen_errors"]:
        print(f"{'':<44}queue listener errors: {got['listen_errors'][0][:200]}")
    ok = (
        got["transcribed"] == blobs
        and got["final_failures"] == 0
        and ratio <= GOAL_DRAIN_RATIO
        and throttled <= GOAL_429_PER_BLOB
    )
    goal = (
        f"100% transcribed, 0 final failures, drain <= {GOAL_DRAIN_RATIO}x ideal, "
        f"<= {GOAL_429_PER_BLOB} 429s/blob"
    )
    print(f"{'':<44}{verdict(ok)} ({goal})", flush=True)


def main() -> None:
    blobs = int(os.environ.get("BURST_BLOBS", DEFAULT_BLOBS))
    for quota_rpm, hosts in RUNS:
        _report(_run(blobs, quota_rpm, hosts))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
