"""Options every aio SDK client of the app is made with.

azure-core's aiohttp transport trusts the environment by default (`use_env_settings`): aiohttp
then reads ~/.netrc in the loop's default thread pool and again on the loop, and looks proxies
up, for every request (about a fifth of the app's CPU per blob, and a thread-pool hop each that
aiohttp's resolver also waits on). The app's requests carry their own credentials, so netrc has
nothing to give them; proxies do, so the environment is trusted exactly when it names one.
"""

from __future__ import annotations

import os
from typing import Any

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "netrc")


def client_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """`use_env_settings` only where a proxy (or a netrc file) is configured."""
    names = {name.lower() for name in (os.environ if environ is None else environ)}
    return {"use_env_settings": any(variable in names for variable in PROXY_VARIABLES)}
