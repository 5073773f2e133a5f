"""`make demo` as a new user runs it: the sample transcribed both ways, and one line saying where
the emulator is far weaker than the service, so its answers are not taken for Azure's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devtools.demo import EMULATOR_IS_WEAKER

ROOT = Path(__file__).resolve().parents[2]


def test_demo_transcribes_the_sample_and_says_the_emulator_is_weaker_than_the_service() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AudioStorage"))}
    done = subprocess.run(
        [sys.executable, "-m", "devtools.demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    weaker = [line for line in done.stdout.splitlines() if EMULATOR_IS_WEAKER in line]
    assert len(weaker) == 1 and "1 word in 4" in weaker[0] and "English only" in weaker[0]
    assert "country" in done.stdout.lower() and "HTTP 200" in done.stdout
