"""Which HTTP function a request reaches, and whether its key lets it in.

Routes are `/<routePrefix>/<route>` (host.json `extensions.http.routePrefix`, default `api`; an
empty prefix puts routes at the root). A `{param}` segment becomes a route parameter, `{*path}`
a catch-all that takes the rest of the path (empty included, so `/` matches it). When several
routes match, the host's ASP.NET Core routing takes the most specific: each segment scores a
digit, 1 for a literal, 2 for a constrained parameter or a segment mixing text and a parameter,
3 for a parameter, 4 for a constrained catch-all, 5 for a catch-all; the digits read as a decimal
(`1.13` for `api/transcriptions/{id}`) and the lowest wins (`RoutePrecedence.ComputeInbound`,
src/Microsoft.AspNetCore.Routing/Template/RoutePrecedence.cs in aspnet/Routing). So `api/health`
beats `{*path}` whatever the order the functions were declared in. A route whose methods do not
include the request's is skipped and the next one tried (the method is a route constraint). A
request that matches no route gets 404. authLevel FUNCTION needs a function or the master key
and ADMIN the master key, in the `x-functions-key` header or the `code` query parameter;
otherwise the host answers 401.

The Functions host serves its own home page at `/` only when no function ran for the request
(`HomepageMiddleware`, src/WebJobs.Script.WebHost/Middleware/HomepageMiddleware.cs in
Azure/azure-functions-host), so a function whose route matches `/` replaces it.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_PARAMETER = re.compile(r"\{(\*{1,2})?([A-Za-z_]\w*)(:[^}?]*)?(\?)?\}")


@dataclass(frozen=True)
class HttpRoute:
    function: str
    function_id: str
    regex: re.Pattern[str]
    methods: frozenset[str]
    auth_level: str
    precedence: Decimal = Decimal(0)

    @classmethod
    def from_raw(cls, prefix: str, function: str, function_id: str, raw: dict[str, Any]) -> HttpRoute:
        route = (raw.get("route") or function).strip("/")
        template = "/".join(part for part in (prefix.strip("/"), route) if part)
        pattern, precedence = "", Decimal(0)
        for index, segment in enumerate(template.split("/") if template else []):
            piece, digit = _segment(segment)
            pattern += piece
            precedence += Decimal(digit) / (Decimal(10) ** index)
        methods = frozenset(
            m.upper()
            for m in raw.get("methods") or ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
        )
        return cls(
            function,
            function_id,
            re.compile(pattern or "/", re.IGNORECASE),
            methods,
            (raw.get("authLevel") or "FUNCTION").upper(),
            precedence,
        )


def _segment(segment: str) -> tuple[str, int]:
    """One template segment's regex (with its leading `/`) and its inbound precedence digit."""
    whole = _PARAMETER.fullmatch(segment)
    if whole:
        catch_all, name, constraint, optional = whole.groups()
        if catch_all:
            return f"(?:/(?P<{name}>.*))?", 4 if constraint else 5
        value = f"(?P<{name}>[^/]+)"
        return (f"(?:/{value})?" if optional else f"/{value}"), 2 if constraint else 3
    pieces = re.split(_PARAMETER, segment)
    if len(pieces) == 1:
        return "/" + re.escape(segment), 1
    # text and parameters in one segment: split() yields text, then each parameter's 4 groups
    regex = ""
    for i in range(0, len(pieces), 5):
        regex += re.escape(pieces[i])
        if i + 2 < len(pieces):
            regex += f"(?P<{pieces[i + 2]}>[^/]+?)"
    return "/" + regex, 2


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
    """The most specific route (lowest precedence, then declaration order) for `method`."""
    path = unquote(urlsplit(url).path).rstrip("/") or "/"
    for route in sorted(routes, key=lambda r: r.precedence):  # sorted() keeps ties in order
        found = route.regex.fullmatch(path)
        if found and method.upper() in route.methods:
            return route, {k: v for k, v in found.groupdict().items() if v is not None}
    return None
