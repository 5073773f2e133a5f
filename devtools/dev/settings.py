"""local.settings.json for `make dev`: created from the sample when absent, read like `func start`.

As with Core Tools, a variable already in the environment wins over the file. Settings that
point at the local services (UseDevelopmentStorage=true, a loopback Speech endpoint) are
rewritten to the ports dev actually started, so every port can be moved with a make variable.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

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
