"""What `make dev` prints: the start-up banner, and one line per invocation."""

from __future__ import annotations

import sys
import time
from datetime import datetime


def say(text: str = "") -> None:
    print(text, flush=True)


def invocation(function: str, outcome: str, started: float, detail: str = "") -> None:
    """`12:00:01 transcribe_blob  succeeded  2.31 s  audio-in/meeting.wav`."""
    stamp = datetime.now().strftime("%H:%M:%S")
    seconds = f"{time.perf_counter() - started:.2f} s"
    line = f"{stamp} {function:<16} {outcome:<12} {seconds:>8}"
    print(f"{line}  {detail}".rstrip(), file=sys.stdout, flush=True)
