"""Build the deployment package as `func azure functionapp publish` does, then index it.

The package holds what .funcignore lets through; `pip install -r requirements.txt --target
.python_packages/lib/site-packages` stands in for the remote build (the installed packages are
cached under .venv/.packaging-cache, keyed by requirements.txt and the interpreter). The app is
then imported by a clean interpreter that sees only the package, as the worker does in Azure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.deploy.app_settings import app_settings
from tests.deploy.bicep_tree import ROOT
from tests.fixtures.functions import APP_FUNCTIONS

REQUIREMENTS = ROOT / "requirements.txt"
CACHE = ROOT / ".venv" / ".packaging-cache"
INDEXER = Path(__file__).with_name("index_functions.py")


def cache_key() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(f"{sys.implementation.cache_tag}-{sysconfig.get_platform()}".encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def site_packages() -> Path:
    """requirements.txt installed the way the remote build installs it (cached)."""
    target = CACHE / cache_key()
    if not (target / ".complete").exists():
        staging = CACHE / f"{target.name}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "--no-input",
            "-r",
            str(REQUIREMENTS),
            "--target",
            str(staging / "site-packages"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=1500, check=False)
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.fail(f"pip install -r requirements.txt failed:\n{done.stderr[-4000:]}")
        (staging / ".complete").touch()
        try:
            staging.rename(target)
        except OSError:  # a concurrent run finished first; use its copy
            shutil.rmtree(staging, ignore_errors=True)
        for stale in CACHE.iterdir():  # installs for older requirements.txt versions
            if stale.name != target.name and not stale.name.endswith(".tmp"):
                shutil.rmtree(stale, ignore_errors=True)
    return target / "site-packages"


@pytest.fixture(scope="module")
def wwwroot(tmp_path_factory: pytest.TempPathFactory, site_packages: Path, package: set[str]) -> Path:
    """The package as deployed: .funcignore applied, packages where the remote build puts them."""
    root = tmp_path_factory.mktemp("wwwroot")
    for relative in package:
        destination = root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, destination)
    lib = root / ".python_packages" / "lib"
    lib.mkdir(parents=True)
    (lib / "site-packages").symlink_to(site_packages, target_is_directory=True)
    return root


@pytest.fixture(scope="module")
def indexed(wwwroot: Path) -> dict:
    """What the host indexes, imported with the production app settings and nothing else."""
    env = {"PATH": os.environ.get("PATH", ""), **app_settings(user_assigned=False)}
    env.pop("APPLICATIONINSIGHTS_CONNECTION_STRING")  # no exporter may reach out during import
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(INDEXER), str(wwwroot)],
        cwd=wwwroot,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"importing the package failed:\n{done.stderr[-6000:]}"
    return json.loads(done.stdout)


def bindings(indexed: dict, name: str) -> list[dict]:
    functions = {f["name"]: f["bindings"] for f in indexed["functions"]}
    assert name in functions, f"{name} not indexed; found {sorted(functions)}"
    return functions[name]


def test_package_when_built_holds_the_app_and_only_the_app(wwwroot: Path) -> None:
    top = {p.name for p in wwwroot.iterdir()}
    assert top == {"function_app.py", "host.json", "requirements.txt", "transcriber", ".python_packages"}
    core = {p.relative_to(wwwroot).as_posix() for p in (wwwroot / "transcriber").rglob("*") if p.is_file()}
    page = {name for name in core if name.startswith("transcriber/web/")}
    assert "transcriber/web/index.html" in page  # the page, served by the `page` function
    assert all(name.endswith((".html", ".js", ".css", ".svg")) for name in page), sorted(page)
    assert all(name.endswith(".py") for name in core - page), sorted(core - page)
    for excluded in ("tests", "devtools", "bench", "infra", "node_modules", ".venv", "docs", ".git", ".ci"):
        assert excluded not in top, excluded
    assert (wwwroot / "transcriber" / "__init__.py").is_file()
    assert not list(wwwroot.glob("transcriber/**/__pycache__"))


def test_package_when_imported_alone_indexes_exactly_the_apps_functions(indexed: dict) -> None:
    assert {f["name"] for f in indexed["functions"]} == APP_FUNCTIONS


def test_package_job_endpoints_take_a_function_key_and_the_queue_trigger_the_app_connection(
    indexed: dict,
) -> None:
    for name, route, method in (
        ("create_transcription", "api/transcriptions", "POST"),
        ("transcription_status", "api/transcriptions/{id}", "GET"),
        ("list_transcriptions", "api/transcriptions", "GET"),
        ("name_speakers", "api/transcriptions/{id}/speakers", "PUT"),
        ("transcription_audio", "api/transcriptions/{id}/audio", "GET"),
        ("create_upload", "api/uploads", "POST"),
    ):
        trigger = next(b for b in bindings(indexed, name) if b["type"] == "httpTrigger")
        assert (trigger["route"], [m.upper() for m in trigger["methods"]]) == (route, [method])
        assert trigger["authLevel"].lower() == "function"
    (queue,) = bindings(indexed, "run_transcription_job")
    assert (queue["type"], queue["queueName"], queue["connection"]) == (
        "queueTrigger",
        "transcription-jobs",
        "AudioStorage",
    )


def test_package_erasure_function_with_production_settings_reads_the_blob_deleted_queue(
    indexed: dict,
) -> None:
    (trigger,) = bindings(indexed, "erase_transcripts")
    assert (trigger["type"], trigger["direction"]) == ("queueTrigger", "IN")
    assert (trigger["queueName"], trigger["connection"]) == ("blob-deleted", "AudioStorage")


def test_package_blob_trigger_with_production_settings_uses_event_grid(indexed: dict) -> None:
    (trigger,) = bindings(indexed, "transcribe_blob")
    assert trigger["type"] == "blobTrigger"
    assert trigger["direction"] == "IN"
    assert trigger["path"] in ("%AUDIO_CONTAINER%/{name}", "audio-in/{name}")
    assert trigger["connection"] == "AudioStorage"
    assert trigger["source"] == "EventGrid"


def test_package_transcribe_endpoint_when_indexed_takes_posts_with_a_function_key(indexed: dict) -> None:
    trigger = next(b for b in bindings(indexed, "transcribe") if b["type"] == "httpTrigger")
    assert trigger["route"] == "api/transcribe"
    assert [m.upper() for m in trigger["methods"]] == ["POST"]
    assert trigger["authLevel"].lower() == "function"
    assert any(b["type"] == "http" and b["direction"] == "OUT" for b in bindings(indexed, "transcribe"))


def test_package_health_endpoint_when_indexed_is_an_anonymous_get(indexed: dict) -> None:
    trigger = next(b for b in bindings(indexed, "health") if b["type"] == "httpTrigger")
    assert trigger["route"] == "api/health"
    assert [m.upper() for m in trigger["methods"]] == ["GET"]
    assert trigger["authLevel"].lower() == "anonymous"


def test_package_deep_health_endpoint_needs_a_function_key(indexed: dict) -> None:
    trigger = next(b for b in bindings(indexed, "health_deep") if b["type"] == "httpTrigger")
    assert (trigger["route"], trigger["authLevel"].lower()) == ("api/health/deep", "function")


def test_package_page_is_an_anonymous_get_behind_every_api_route(indexed: dict, wwwroot: Path) -> None:
    trigger = next(b for b in bindings(indexed, "page") if b["type"] == "httpTrigger")
    assert (trigger["route"], [m.upper() for m in trigger["methods"]]) == ("{*path}", ["GET"])
    assert trigger["authLevel"].lower() == "anonymous"
    host = json.loads((wwwroot / "host.json").read_text())
    assert host["extensions"]["http"]["routePrefix"] == ""  # the page at /, the API under api/
    routes = [
        b["route"]
        for f in indexed["functions"]
        for b in f["bindings"]
        if b["type"] == "httpTrigger" and f["name"] != "page"
    ]
    assert routes and all(route.startswith("api/") for route in routes), routes


def test_package_core_modules_when_imported_need_only_requirements(indexed: dict) -> None:
    assert "transcriber.config" in indexed["core_modules"]
    assert indexed["foreign_modules"] == []
