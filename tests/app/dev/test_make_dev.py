"""`make dev`'s entry point as a subprocess: curl-able HTTP on its port, uploads transcribed within
30 s (short ones while a long one is still transcribing), the host's retries and poison queue,
Ctrl-C stopping everything."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile
import soxr
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueClient

from devtools.dev.services import connection_string
from devtools.local_services import LOOPBACK, ChildService, answers_tcp, free_ports

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Dev:
    service: ChildService
    ports: list[int]

    @property
    def process(self) -> subprocess.Popen[str]:
        return self.service.process

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    @property
    def connection(self) -> str:
        return connection_string(*self.ports[1:4])

    @property
    def emulator(self) -> str:
        return f"http://127.0.0.1:{self.ports[4]}"

    def log(self) -> str:
        return self.service.log()

    def wait_for(self, text: str, timeout: float) -> None:
        self.service.wait_for_output(re.escape(text), timeout)


@contextlib.contextmanager
def running_dev(folder: Path, ports: list[int], *options: str) -> Iterator[Dev]:
    """`python -m devtools.dev` with its settings and Azurite data in `folder`, stopped with Ctrl-C."""
    command = [
        sys.executable,
        "-m",
        "devtools.dev",
        *options,
        "--settings",
        str(folder / "local.settings.json"),
    ]
    command += ["--data-dir", str(folder / "azurite"), "--functions-port", str(ports[0])]
    command += ["--azurite-blob-port", str(ports[1]), "--azurite-queue-port", str(ports[2])]
    command += ["--azurite-table-port", str(ports[3]), "--emulator-port", str(ports[4])]
    service = ChildService("make dev", command, cwd=ROOT, env=clean_environment(), log_lines=None).start()
    try:
        running = Dev(service, ports)
        running.wait_for("Ready: ", timeout=90)
        yield running
    finally:
        service.stop(timeout=20, sig=signal.SIGINT)


def clean_environment() -> dict[str, str]:
    """This environment without the app's settings: what a fresh shell has."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "AudioStorage", "APPLICATIONINSIGHTS"))
    }


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[Dev]:
    with running_dev(tmp_path, free_ports(5)) as running:
        yield running


def wait_for_outputs(storage: BlobServiceClient, names: set[str], timeout: float) -> set[str]:
    transcripts = storage.get_container_client("transcripts")
    deadline = time.monotonic() + timeout
    while True:
        found = {b.name for b in transcripts.list_blobs()}
        if names <= found or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def test_make_dev_serves_http_and_transcribes_uploads_within_30_s(dev: Dev, tmp_path: Path) -> None:
    assert (tmp_path / "local.settings.json").exists()  # made from the sample
    audio = (ROOT / "samples" / "jfk.wav").read_bytes()
    response = httpx.post(
        f"{dev.base}/api/transcribe?format=srt",
        content=audio,
        headers={"Content-Type": "audio/wav"},
        timeout=60,
    )
    assert response.status_code == 200 and "country" in response.text.lower()
    assert httpx.get(f"{dev.base}/api/health/deep", timeout=10).json()["status"] == "ok"  # no key locally
    assert httpx.get(f"{dev.base}/api/nowhere", timeout=10).status_code == 404

    with BlobServiceClient.from_connection_string(dev.connection) as storage:
        storage.get_blob_client("audio-in", "calls/monday.wav").upload_blob(audio)
        uploaded = time.monotonic()
        transcripts = storage.get_container_client("transcripts")
        while time.monotonic() - uploaded < 30:
            names = {b.name for b in transcripts.list_blobs()}
            if "calls/monday.wav.json" in names:
                break
            time.sleep(0.25)
        assert {"calls/monday.wav.json", "calls/monday.wav.srt"} <= names, dev.log()
        text = transcripts.download_blob("calls/monday.wav.txt").readall().decode()
    assert "country" in text.lower()
    dev.wait_for("transcribe_blob  succeeded", timeout=5)
    assert "transcribe       200" in dev.log()  # one line per invocation: function, outcome, duration
    assert "Request URL" not in dev.log()  # no SDK request logging on the console


def test_make_dev_retries_a_failing_blob_then_poisons_it(dev: Dev) -> None:
    fault = {"kind": "status", "status": 500, "count": 1000}  # a throttle would be deferred instead
    assert httpx.post(f"{dev.emulator}/_emulator/faults", json=fault, timeout=5).status_code < 300
    with BlobServiceClient.from_connection_string(dev.connection) as storage:
        storage.get_blob_client("audio-in", "busy.wav").upload_blob(
            (ROOT / "samples" / "jfk.wav").read_bytes()
        )
        dev.wait_for("transcribe_blob  poisoned", timeout=60)
        record = json.loads(
            storage.get_blob_client("transcription-failures", "failed/busy.wav.json")
            .download_blob()
            .readall()
        )
    assert record["final"] is True and record["attempts"] == 5
    with QueueClient.from_connection_string(dev.connection, "webjobs-blobtrigger-poison") as queue:
        [message] = list(queue.receive_messages())
    poison = json.loads(base64.b64decode(message.content))
    assert (poison["ContainerName"], poison["BlobName"], poison["Type"]) == (
        "audio-in",
        "busy.wav",
        "BlobTrigger",
    )


def test_make_dev_ctrl_c_stops_everything(dev: Dev) -> None:
    dev.process.send_signal(signal.SIGINT)
    assert dev.process.wait(20) == 0
    dev.wait_for("Stopped the app", timeout=1)
    for port in dev.ports:
        assert not answers_tcp(LOOPBACK, port), f"port {port} still served"


def test_make_dev_concurrent_uploads_and_a_new_version_all_end_with_their_transcript(
    dev: Dev, corpus: Path
) -> None:
    files = [
        "cards-001.wav",
        "cards-002.wav",
        "cards-003.wav",
        "sense_and_sensibility_01_austen_64kb-0880.wav",
    ]
    with BlobServiceClient.from_connection_string(dev.connection) as storage:
        for name in files:
            storage.get_blob_client("audio-in", name).upload_blob((corpus / name).read_bytes())
        again = storage.get_blob_client("audio-in", "cards-001.wav")
        etag = again.upload_blob((corpus / "cards-003.wav").read_bytes(), overwrite=True)["etag"].strip('"')
        wanted = {f"{name}.json" for name in files}
        assert wanted <= wait_for_outputs(storage, wanted, timeout=45), dev.log()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the newer version is delivered too, and wins
            record = json.loads(
                storage.get_blob_client("transcripts", "cards-001.wav.json").download_blob().readall()
            )
            if record["source"]["etag"] == etag:
                break
            time.sleep(0.25)
    assert record["source"]["etag"] == etag and "7 of clubs" in record["combinedPhrases"][0]["text"].lower()


def speech_recording(corpus: Path, seconds: float) -> bytes:
    """The corpus's speech clips, each with 1 s of silence after it, repeated to `seconds` (16 kHz WAV)."""
    clips = []
    for name in ("jfk.flac", "cards-001.wav", "sense_and_sensibility_01_austen_64kb-0870.wav"):
        samples, rate = soundfile.read(corpus / name, dtype="float32", always_2d=True)
        mono = soxr.resample(samples.mean(axis=1), rate, 16_000).astype(np.float32)
        clips += [mono, np.zeros(16_000, np.float32)]
    cycle = np.concatenate(clips)
    length = int(seconds * 16_000)
    out = io.BytesIO()
    soundfile.write(out, np.tile(cycle, length // len(cycle) + 1)[:length], 16_000, format="WAV")
    return out.getvalue()


def test_make_dev_small_uploads_end_while_a_long_one_is_still_transcribing(dev: Dev, corpus: Path) -> None:
    """A 90 s recording is decoded in chunks, in turn with other requests (the service transcribes
    requests concurrently): uploads after it end first, rather than waiting for all of it."""
    silence = io.BytesIO()
    soundfile.write(silence, np.zeros(5 * 16_000, np.float32), 16_000, format="WAV")
    with BlobServiceClient.from_connection_string(dev.connection) as storage:
        storage.get_blob_client("audio-in", "long.wav").upload_blob(speech_recording(corpus, 90))
        claims = storage.get_container_client("transcription-failures")
        deadline = time.monotonic() + 30
        while not any(claims.list_blobs(name_starts_with="claims/")):  # the long one has begun
            assert time.monotonic() < deadline, dev.log()
            time.sleep(0.1)
        storage.get_blob_client("audio-in", "jfk.wav").upload_blob(
            (ROOT / "samples" / "jfk.wav").read_bytes()
        )
        storage.get_blob_client("audio-in", "silence.wav").upload_blob(silence.getvalue())
        small = {"jfk.wav.json", "silence.wav.json"}
        transcripts = storage.get_container_client("transcripts")
        deadline = time.monotonic() + 180  # a bound for a stuck run, not a timing assertion
        while time.monotonic() < deadline:
            found = {b.name for b in transcripts.list_blobs()}
            if small <= found or "long.wav.json" in found:
                break
            time.sleep(0.25)
        assert small <= found and "long.wav.json" not in found, dev.log()
        assert not any(claims.list_blobs(name_starts_with="failed/")), dev.log()
        text = storage.get_blob_client("transcripts", "jfk.wav.txt").download_blob().readall().decode()
    assert "country" in text.lower()


def test_make_dev_keeps_data_and_receipts_across_a_restart(tmp_path: Path) -> None:
    ports = free_ports(5)
    audio = (ROOT / "samples" / "jfk.wav").read_bytes()
    with (
        running_dev(tmp_path, ports) as first,
        BlobServiceClient.from_connection_string(first.connection) as storage,
    ):
        storage.get_blob_client("audio-in", "kept.wav").upload_blob(audio)
        assert "kept.wav.json" in wait_for_outputs(storage, {"kept.wav.json"}, timeout=30), first.log()
    with running_dev(tmp_path, ports) as second:
        time.sleep(3)  # several scans
        with BlobServiceClient.from_connection_string(second.connection) as storage:
            assert storage.get_blob_client("audio-in", "kept.wav").exists()
        assert "transcribe_blob  " not in second.log()  # no invocation: its receipt says it is done


def api_doc_curl_commands(first_heading: str, last_heading: str) -> list[list[str]]:
    """The curl commands of docs/API.md's sh blocks between two headings, as a shell splits them."""
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    section = text[text.index(first_heading) : text.index(last_heading)]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "curl":
                commands.append(words)
    return commands


def run_curl(words: list[str], base: str, values: dict[str, str]) -> httpx.Response:
    """What curl does with the flags docs/API.md uses (-i, -X, -H, -d, --data-binary @file), with
    `values` put in place of their placeholders (`<id>`) in the URL and in a -d body."""
    method, headers, body, url = None, {}, None, None
    args = iter(words[1:])
    for arg in args:
        if arg == "-i":
            continue
        if arg == "-X":
            method = next(args)
        elif arg == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif arg in ("-d", "--data-binary"):
            data = next(args)
            body = (ROOT / data[1:]).read_bytes() if data.startswith("@") else data.encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif arg.startswith("-"):
            raise AssertionError(f"docs/API.md uses a curl flag this test does not know: {arg}")
        else:
            url = arg
    assert url is not None, words
    for placeholder, value in values.items():
        url = url.replace(placeholder, value)
        if body is not None and "--data-binary" not in words:
            body = body.replace(placeholder.encode(), value.encode())
    url = url.replace("http://127.0.0.1:7071", base)
    method = method or ("POST" if body is not None else "GET")
    return httpx.request(method, url, content=body, headers=headers, timeout=60)


def test_make_dev_runs_the_api_doc_job_and_upload_examples(dev: Dev) -> None:
    """docs/API.md's curl steps for /api/transcriptions and /api/uploads, as they are written."""
    jobs = api_doc_curl_commands("## Jobs: answer at once", "### Uploads past 100 MB")
    uploads = api_doc_curl_commands("### Uploads past 100 MB", "### Backfill and retry")
    assert [c[c.index("-X") + 1] if "-X" in c else "GET" for c in jobs] == ["POST", "GET", "GET", "POST"]
    assert [c[c.index("-X") + 1] for c in uploads] == ["POST", "PUT", "POST"]
    values: dict[str, str] = {}

    accepted = run_curl(jobs[0], dev.base, values)
    assert accepted.status_code == 202 and accepted.json()["status"] == "queued"
    location = accepted.headers["Location"]
    values["<id>"] = accepted.json()["id"]
    assert location == f"{dev.base}/api/transcriptions/{values['<id>']}"
    deadline = time.monotonic() + 60
    while (status := run_curl(jobs[1], dev.base, values).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, dev.log()
        time.sleep(0.25)
    assert status["status"] == "succeeded", dev.log()
    dev.wait_for("run_transcription_job succeeded", timeout=5)  # the host's queue listener ran it
    srt = run_curl(jobs[2], dev.base, values)
    assert srt.status_code == 200 and "country" in srt.text.lower()
    refused = run_curl(jobs[3], dev.base, values)  # docs/API.md: without CALLBACK_ALLOWED_HOSTS, a 400
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "InvalidCallbackUrl"

    upload = run_curl(uploads[0], dev.base, values)
    assert upload.status_code == 201, upload.text
    values["<uploadUrl>"], values["<blob>"] = upload.json()["uploadUrl"], upload.json()["blob"]
    put = run_curl(uploads[1], dev.base, values)
    assert put.status_code == 201, put.text
    # never replaced: the create-only SAS refuses it (403; If-None-Match alone would be a 409)
    assert run_curl(uploads[1], dev.base, values).status_code in (403, 409)
    with BlobServiceClient.from_connection_string(dev.connection) as storage:
        found = wait_for_outputs(storage, {f"{values['<blob>']}.json"}, 60)
    assert f"{values['<blob>']}.json" in found, dev.log()
    job = run_curl(uploads[2], dev.base, values)
    assert job.status_code == 202
    values["<id>"] = job.json()["id"]
    deadline = time.monotonic() + 30
    while (status := run_curl(jobs[1], dev.base, values).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, dev.log()
        time.sleep(0.25)
    assert status["status"] == "succeeded", dev.log()


def run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python ARGS` from `cwd` in a fresh shell's environment, with the clone importable."""
    env = {**clean_environment(), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_make_dev_on_other_ports_with_the_echo_engine_serves_the_command_line_and_make_upload(
    tmp_path: Path,
) -> None:
    """`make dev FUNCTIONS_PORT=... EMULATOR_PORT=... ENGINE=echo`, then README's command line and
    `make upload` from the same folder: dev.settings.json carries the ports, not the defaults."""
    ports = free_ports(5)
    assert not {7071, 10000, 10001, 10002, 5055} & set(ports)
    jfk = str(ROOT / "samples" / "jfk.wav")
    with running_dev(tmp_path, ports, "--engine", "echo") as dev:
        assert f"{dev.emulator} (emulator, echo)" in dev.log()
        values = json.loads((tmp_path / "dev.settings.json").read_text())["Values"]
        assert values["AZURE_SPEECH_ENDPOINT"] == dev.emulator and f":{ports[1]}/" in values["AudioStorage"]
        transcribed = run_python("-m", "transcriber", "transcribe", jfk, "--format", "srt", cwd=tmp_path)
        assert transcribed.returncode == 0, transcribed.stderr
        assert "the quick brown fox" in transcribed.stdout.lower()  # the echo engine's text
        uploaded = run_python("-m", "devtools.upload", "--base", dev.base, jfk, cwd=ROOT)
        named = re.search(r" as (uploads/\S+/jfk\.wav);", uploaded.stdout)
        assert uploaded.returncode == 0 and named, uploaded.stdout + uploaded.stderr
        blob = named.group(1)
        with BlobServiceClient.from_connection_string(dev.connection) as storage:
            found = wait_for_outputs(storage, {f"{blob}.json"}, 30)
        assert f"{blob}.json" in found, dev.log()
        status = run_python("-m", "transcriber", "status", blob, "--json", cwd=tmp_path)
        assert status.returncode == 0 and json.loads(status.stdout)["state"] == "succeeded", status.stderr
        with BlobServiceClient.from_connection_string(dev.connection) as storage:  # the console's word
            storage.get_blob_client("audio-in", "notes.wav").upload_blob(b"meeting notes, not audio")
        dev.wait_for("transcribe_blob  failed", timeout=30)
        [line] = [line for line in dev.log().splitlines() if "audio-in/notes.wav" in line]
        assert re.search(r"transcribe_blob  failed .* audio-in/notes\.wav \(UnsupportedMediaType\)", line), (
            line
        )
    assert not (tmp_path / "dev.settings.json").exists()  # removed on Ctrl-C: no stale ports


def test_make_dev_upload_and_clean_targets_pass_engine_folder_and_port() -> None:
    """What make would run (`make -n`, nothing run): the variables reach devtools, the data stays in
    the clone, and `make clean` removes it."""

    def dry_run(*args: str) -> str:
        done = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return re.sub(r"\\\n\s*", " ", done.stdout)

    dev_line = next(
        line
        for line in dry_run("dev", "ENGINE=echo", "EMULATOR_PORT=15055").splitlines()
        if "devtools.dev" in line
    )
    assert "--engine echo" in dev_line and "--emulator-port 15055" in dev_line
    assert f"--data-dir {ROOT}/.azurite" in dev_line
    upload = dry_run("upload", "FILE=samples/jfk.wav", "FUNCTIONS_PORT=17071")
    assert "-m devtools.upload --base http://127.0.0.1:17071" in upload and "samples/jfk.wav" in upload
    assert " .azurite" in dry_run("clean")
