"""Settings for the command line: the environment, over `local.settings.json` in the working folder.

Like Core Tools' `func start`, values from local.settings.json never replace a variable that is
already set, so `AZURE_SPEECH_ENDPOINT=... python -m transcriber ...` wins over the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from transcriber.domain.errors import SettingError

LOCAL_SETTINGS = "local.settings.json"


def load_environment(folder: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The merged settings; SettingError when local.settings.json exists but is not readable."""
    env = dict(os.environ if environ is None else environ)
    path = (folder or Path.cwd()) / LOCAL_SETTINGS
    if not path.is_file():
        return env
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("Values") or {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise SettingError(
            LOCAL_SETTINGS, f"could not be read as JSON with a 'Values' object: {exc}"
        ) from exc
    if not isinstance(values, dict):
        raise SettingError(LOCAL_SETTINGS, "'Values' must be an object of setting names to strings")
    for name, value in values.items():
        if isinstance(value, str | int | float | bool) and name not in env:
            env[name] = str(value)
    return env
