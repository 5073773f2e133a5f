"""An earlier app exported from git, for figures measured side by side with this checkout's.

`baseline_tree(commit)` writes function_app.py and transcriber/ of `commit` into a temporary
directory; a child process run there (its cwd, first on sys.path) runs that app against the same
Azurite and emulator, with this checkout's bench and devtools. None when git or the commit is
unavailable (a shallow clone): the benchmark then says so instead of printing a baseline.
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
# main just before issue #12's changes; BENCH_BASELINE=<commit> compares with another commit
# instead (e.g. main, before a branch).
BASELINE_COMMIT = os.environ.get("BENCH_BASELINE") or "c446432"
# main before issue #21 moved transcriber/ into layers (behaviour unchanged, the same figures).
BEFORE_RESTRUCTURING = "76f7ac3"


@contextmanager
def baseline_tree(commit: str = BASELINE_COMMIT) -> Iterator[Path | None]:
    archive = subprocess.run(
        ["git", "archive", commit, "function_app.py", "transcriber"],
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
