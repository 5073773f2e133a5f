"""Run the `azure-ai-transcription` source distribution's own samples, unchanged, against the emulator.

    python -m devtools.sdk_samples                      # starts `python -m devtools.speech_emulator`
    python -m devtools.sdk_samples --endpoint http://127.0.0.1:5055 --key KEY   # a `make emulator`

The sdist comes from PyPI with pip (`pip download --no-binary :all:`). Its samples read
`AZURE_SPEECH_ENDPOINT` and `AZURE_SPEECH_API_KEY` and open audio under `samples/assets/`, which
the sdist does not ship: the runner puts recordings of tests/corpus there. The samples that send
`https://example.com/path/to/audio.wav` as `audioUrl` need the internet (the service fetches
that URL) and are reported as skipped.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from devtools.local_services import LOOPBACK, ChildService, answers_tcp, free_port

logger = logging.getLogger(__name__)

__all__ = ["NEED_INTERNET", "SDIST", "SampleRun", "download_samples", "run_samples", "run_with_emulator"]

SDIST = "azure-ai-transcription==1.0.0"
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
# Sample file -> why it cannot run here.
NEED_INTERNET = {
    "sample_transcribe_from_url.py": "the service must fetch https://example.com/path/to/audio.wav",
    "sample_transcribe_from_url_async.py": "the service must fetch https://example.com/path/to/audio.wav",
}
ASSETS = {
    "audio.wav": CORPUS / "sense_and_sensibility_01_austen_64kb-0870.wav",
    "sample-howstheweather-cn.wav": CORPUS / "cards-002.wav",
    "sample-whatstheweatherlike-en.mp3": CORPUS / "hotwords.mp3",
}
SAMPLE_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class SampleRun:
    """One sample's outcome: `returncode` None means skipped (`output` says why)."""

    name: str
    returncode: int | None
    output: str


def download_samples(cache: Path) -> Path:
    """The sdist's `samples/` directory, downloaded once into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    archives = sorted(cache.glob("azure_ai_transcription-1.0.0.tar.gz"))
    if not archives:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--no-binary", ":all:", SDIST, "-d", str(cache)],
            check=True,
        )  # fmt: skip
        archives = sorted(cache.glob("azure_ai_transcription-1.0.0.tar.gz"))
    target = cache / "sdist"
    if not (target / "samples").is_dir():
        with tarfile.open(archives[0]) as archive:
            archive.extractall(cache / "unpacked", filter="data")
        shutil.rmtree(target, ignore_errors=True)
        (cache / "unpacked" / "azure_ai_transcription-1.0.0").rename(target)
    return target / "samples"


def run_samples(samples: Path, endpoint: str, key: str) -> list[SampleRun]:
    """Copy the samples beside their assets and run each one as its own process."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="sdk-samples-") as scratch:
        work = Path(scratch) / "samples"
        shutil.copytree(samples, work)
        (work / "assets").mkdir(exist_ok=True)
        for name, source in ASSETS.items():
            shutil.copyfile(source, work / "assets" / name)
        env = {**os.environ, "AZURE_SPEECH_ENDPOINT": endpoint, "AZURE_SPEECH_API_KEY": key}
        for sample in sorted([*work.glob("sample_*.py"), *work.glob("async_samples/sample_*.py")]):
            if sample.name in NEED_INTERNET:
                runs.append(SampleRun(sample.name, None, f"skipped: {NEED_INTERNET[sample.name]}"))
                continue
            done = subprocess.run(
                [sys.executable, str(sample)], cwd=sample.parent, env=env, capture_output=True, text=True,
                timeout=SAMPLE_TIMEOUT_SECONDS,
            )  # fmt: skip
            runs.append(SampleRun(sample.name, done.returncode, done.stdout + done.stderr))
    return runs


def run_with_emulator(samples: Path) -> list[SampleRun]:
    """Start the emulator as `make emulator` does (its CLI, own process), run the samples, stop it."""
    # `--key=...`: a random key may begin with "-", which argparse would read as an option
    port, key = free_port(), secrets.token_urlsafe(16)
    command = [sys.executable, "-m", "devtools.speech_emulator", "--host", LOOPBACK, "--port", str(port)]
    emulator = ChildService(
        "the emulator", [*command, f"--key={key}"], cwd=ROOT, on_line=lambda line: print(line, end="")
    )
    try:
        emulator.start().wait_until(lambda: answers_tcp(LOOPBACK, port), timeout=60)
        return run_samples(samples, f"http://{LOOPBACK}:{port}", key)
    finally:
        emulator.stop(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--endpoint", help="a running emulator, e.g. http://127.0.0.1:5055 (default: start one)"
    )
    parser.add_argument("--key", default="", help="its key (with --endpoint)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "sdk-samples")
    args = parser.parse_args(argv)
    samples = download_samples(args.cache)
    runs = run_samples(samples, args.endpoint, args.key) if args.endpoint else run_with_emulator(samples)
    for run in runs:
        status = "skipped" if run.returncode is None else ("ok" if run.returncode == 0 else "FAILED")
        print(f"{status:8} {run.name}{'' if run.returncode is not None else ' (' + run.output + ')'}")
        if run.returncode:
            print(run.output)
    return 1 if any(run.returncode for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
