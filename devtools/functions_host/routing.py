"""Which HTTP function a request reaches, and whether its key lets it in.

Routes are `/<routePrefix>/<route>` (host.json `extensions.http.routePrefix`, default `api`);
a `{param}` segment becomes a route parameter. A request that matches no route or method gets
404. authLevel FUNCTION needs a function or the master key and ADMIN the master key, in the
`x-functions-key` header or the `code` query parameter; otherwise the host answers 401.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class HttpRoute:
    function: str
    function_id: str
    regex: re.Pattern[str]
    methods: frozenset[str]
    auth_level: str

    @classmethod
    def from_raw(cls, prefix: str, function: str, function_id: str, raw: dict[str, Any]) -> HttpRoute:
        route = (raw.get("route") or function).strip("/")
        pattern = ""
        for literal, name in re.findall(r"([^{]*)(?:\{\*?([^}:?]+)[^}]*\})?", route):
            pattern += re.escape(literal) + (f"(?P<{name}>[^/]+)" if name else "")
        full = "/" + "/".join(part for part in (prefix.strip("/"), pattern) if part)
        methods = frozenset(
            m.upper()
            for m in raw.get("methods") or ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
        )
        return cls(
            function,
            function_id,
            re.compile(full, re.IGNORECASE),
            methods,
            (raw.get("authLevel") or "FUNCTION").upper(),
        )


@dataclass
class HostKeys:
    """The app's keys: one function key shared by its functions, and the master key."""

    function_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    master_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def allows(self, auth_level: str, url: str, headers: dict[str, str]) -> bool:
        if auth_level == "ANONYMOUS":
            return True
        given = headers.get("x-functions-key") or (parse_qs(urlsplit(url).query).get("code") or [""])[0]
        accepted = {self.master_key} if auth_level == "ADMIN" else {self.master_key, self.function_key}
        return any(secrets.compare_digest(given, key) for key in accepted)


def route_prefix(app_dir: Path) -> str:
    path = app_dir / "host.json"
    http = (json.loads(path.read_text()).get("extensions") or {}).get("http") or {} if path.exists() else {}
    return http.get("routePrefix", "api")


def match(routes: list[HttpRoute], method: str, url: str) -> tuple[HttpRoute, dict[str, str]] | None:
    path = unquote(urlsplit(url).path)
    for route in routes:
        found = route.regex.fullmatch(path.rstrip("/") or "/")
        if found and method.upper() in route.methods:
            return route, found.groupdict()
    return None
