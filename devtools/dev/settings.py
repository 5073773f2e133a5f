"""local.settings.json for `make dev`: created from the sample when absent, read like `func start`.

As with Core Tools, a variable already in the environment wins over the file. Settings that
point at the local services (UseDevelopmentStorage=true, a loopback Speech endpoint) are
rewritten to the ports dev actually started, so every port can be moved with a make variable;
those settings are also written to dev.settings.json beside it while dev runs, where the command
line reads them (`transcriber/entry/cli/environment.py`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from transcriber.entry.cli.environment import DEV_SETTINGS

SAMPLE = "local.settings.sample.json"
STORAGE_SETTINGS = ("AzureWebJobsStorage", "AudioStorage")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def ensure_local_settings(path: Path, sample: Path) -> bool:
    """Copy the sample to `path` when it does not exist; True when it was created."""
    if path.exists():
        return False
    shutil.copyfile(sample, path)
    return True


def read_values(path: Path) -> dict[str, str]:
    """The file's `Values`, as strings; a clear error when it is not what Core Tools reads."""
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("Values")
    except (OSError, ValueError, AttributeError) as exc:
        raise SystemExit(f"{path}: not a local.settings.json with a 'Values' object ({exc})") from None
    if not isinstance(values, dict):
        raise SystemExit(f"{path}: 'Values' must be an object of setting names to strings")
    return {str(k): str(v) for k, v in values.items() if v is not None}


def dev_environment(
    values: dict[str, str],
    *,
    connection_string: str,
    speech_endpoint: str,
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """The app's settings: environment over file, local services pointed at the started ports."""
    env = dict(os.environ if environ is None else environ)
    for name, value in values.items():
        env.setdefault(name, value)
    for name in STORAGE_SETTINGS:
        if env.get(name, "").replace(" ", "").lower() in ("", "usedevelopmentstorage=true"):
            env[name] = connection_string
    if urlsplit(env.get("AZURE_SPEECH_ENDPOINT", "")).hostname in (*LOOPBACK, None):
        env["AZURE_SPEECH_ENDPOINT"] = speech_endpoint
    env.setdefault("BLOB_TRIGGER_SOURCE", "LogsAndContainerScan")
    env.setdefault("FUNCTIONS_WORKER_RUNTIME", "python")
    return env


def local_values(
    env: dict[str, str],
    *,
    connection_string: str,
    speech_endpoint: str,
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """The settings `dev_environment` pointed at what dev started: the storage connection strings
    and the emulator's endpoint and key (the key only when it is not the environment's own: a
    file never holds what a person exported)."""
    values = {name: env[name] for name in STORAGE_SETTINGS if env.get(name) == connection_string}
    if env.get("AZURE_SPEECH_ENDPOINT") == speech_endpoint:
        values["AZURE_SPEECH_ENDPOINT"] = speech_endpoint
        if (
            "AZURE_SPEECH_API_KEY" not in (os.environ if environ is None else environ)
            and "AZURE_SPEECH_API_KEY" in env
        ):
            values["AZURE_SPEECH_API_KEY"] = env["AZURE_SPEECH_API_KEY"]
    return values


@contextlib.contextmanager
def dev_settings(folder: Path, values: dict[str, str]) -> Iterator[Path]:
    """`values` in `folder`/dev.settings.json (Core Tools' shape) while dev runs, removed after."""
    path = folder / DEV_SETTINGS
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}, indent=2) + "\n", encoding="utf-8")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
