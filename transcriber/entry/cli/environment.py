"""Settings for the command line: the environment, over `dev.settings.json`, over
`local.settings.json`, both in the working folder.

Like Core Tools' `func start`, values from a file never replace a variable that is already set, so
`AZURE_SPEECH_ENDPOINT=... python -m transcriber ...` wins over both. `make dev` writes
`dev.settings.json` while it runs: where its storage and Speech emulator listen, on whatever
ports it was given, in place of local.settings.json's `UseDevelopmentStorage=true` and
`127.0.0.1:5055`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from transcriber.domain.errors import SettingError

LOCAL_SETTINGS = "local.settings.json"
DEV_SETTINGS = "dev.settings.json"


def load_environment(folder: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The merged settings; SettingError when a settings file exists but is not readable."""
    env = dict(os.environ if environ is None else environ)
    for name in (DEV_SETTINGS, LOCAL_SETTINGS):
        for setting, value in _values((folder or Path.cwd()) / name).items():
            env.setdefault(setting, value)
    return env


def _values(path: Path) -> dict[str, str]:
    """A Core Tools settings file's `Values` ({} when there is no such file)."""
    if not path.is_file():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("Values") or {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise SettingError(path.name, f"could not be read as JSON with a 'Values' object: {exc}") from exc
    if not isinstance(values, dict):
        raise SettingError(path.name, "'Values' must be an object of setting names to strings")
    return {name: str(value) for name, value in values.items() if isinstance(value, str | int | float | bool)}
