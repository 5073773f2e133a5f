"""The app as it was before issue #12, exported from git, for figures measured side by side.

`baseline_tree()` writes function_app.py and transcriber/ of BASELINE_COMMIT (main just before
#12's changes) into a temporary directory; a child process run with it first on PYTHONPATH runs
the old code against the same Azurite and emulator. None when git or the commit is unavailable
(a shallow clone): the benchmark then says so instead of printing a baseline.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_BASELINE=<commit> compares with another commit instead (e.g. main, before a branch).
BASELINE_COMMIT = os.environ.get("BENCH_BASELINE") or "c446432"


@contextmanager
def baseline_tree() -> Iterator[Path | None]:
    archive = subprocess.run(
        ["git", "archive", BASELINE_COMMIT, "function_app.py", "transcriber"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="transcriber-baseline-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)
