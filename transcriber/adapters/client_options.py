"""Options every aio SDK client of the app is made with.

The environment is trusted only when it names a proxy (docs/ARCHITECTURE.md, "No netrc per request").
"""

from __future__ import annotations

import os
from typing import Any

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "netrc")


def client_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """`use_env_settings` only where a proxy (or a netrc file) is configured."""
    names = {name.lower() for name in (os.environ if environ is None else environ)}
    return {"use_env_settings": any(variable in names for variable in PROXY_VARIABLES)}
