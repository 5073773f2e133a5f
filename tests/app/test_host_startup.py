"""Start-up through Microsoft's runtime: an index failure stops the whole app with its own error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures.functions import APP_FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]

BROKEN_APP = '''
from typing import TYPE_CHECKING

import azure.functions as func

if TYPE_CHECKING:
    from azurefunctions.extensions.bindings.blob import BlobClient

app = func.FunctionApp()


@app.blob_trigger(arg_name="blob", path="audio-in/{name}", connection="AudioStorage")
async def broken(blob: "BlobClient") -> None:
    """The annotation exists only for type checkers: indexing cannot resolve it."""


@app.route(route="fine", auth_level=func.AuthLevel.ANONYMOUS)
def fine(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("fine")
'''


def _start(app_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devtools.functions_host", str(app_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_host_start_index_failure_stops_the_whole_app_with_the_runtimes_error(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text(BROKEN_APP)
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0"}))
    started = _start(tmp_path)
    assert started.returncode == 1 and started.stdout == ""
    assert "WorkerInitRequest failed: NameError: name 'BlobClient' is not defined" in started.stderr
    assert "get_type_hints" in started.stderr  # the runtime's own stack trace comes along


def test_host_start_app_without_function_app_instance_fails_with_runtime_message(tmp_path: Path) -> None:
    (tmp_path / "function_app.py").write_text("import azure.functions as func\n")
    started = _start(tmp_path)
    assert started.returncode == 1
    assert "Could not find top level function app instances in function_app.py" in started.stderr


def test_host_start_indexes_the_repository_app() -> None:
    started = _start(ROOT)
    assert started.returncode == 0, started.stderr
    assert set(json.loads(started.stdout)) == APP_FUNCTIONS
