"""HTTP requests into RpcHttp, as the host converts them, and `$return` back into a response.

The host (RpcMessageConversionExtensions.ToRpcHttp) lower-cases header names, drops query
parameters whose value is empty, puts route values in `params`, and sends a body only when
there is one: as bytes, because the worker reports RawHttpBodyBytes and RpcHttpBodyOnly. On the
way back it takes status, headers (the Content-Type exactly as the worker set it), cookies and
body from the returned RpcHttp.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class Headers(Mapping[str, str]):
    """Response headers: names compare case-insensitively, stored lower-case as the host's."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {name.lower(): value for name, value in (items or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)


@dataclass(frozen=True)
class HttpResponse:
    """What the caller receives: status, headers (lower-case names), body, and the invocation."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes = b""
    invocation_id: str | None = None
    logs: tuple[Any, ...] = field(default=(), repr=False)
    error: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", Headers(self.headers))

    def get_body(self) -> bytes:
        return self.body

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip()

    @property
    def charset(self) -> str | None:
        for param in self.content_type.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"')
        return None


def query_map(url: str) -> dict[str, str]:
    """The host's `query`: repeated names joined with commas, empty values left out."""
    joined: dict[str, list[str]] = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        joined.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in joined.items() if any(values)}


def to_rpc_http(
    protos: ModuleType,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    route_params: Mapping[str, str],
) -> Any:
    http = protos.RpcHttp(
        method=method.upper(),
        url=url,
        headers={name.lower(): value for name, value in headers.items() if value != ""},
        query=query_map(url),
        params=dict(route_params),
    )
    if body:
        http.body.CopyFrom(protos.TypedData(bytes=body))
    return protos.TypedData(http=http)


def from_return_value(typed: Any) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a function's `$return` (an RpcHttp, or a bare string)."""
    kind = typed.WhichOneof("data")
    if kind == "http":
        http = typed.http
        headers = {name.lower(): value for name, value in http.headers.items()}
        cookies = [cookie.name + "=" + cookie.value for cookie in http.cookies]
        if cookies:
            headers["set-cookie"] = ", ".join(cookies)
        return int(http.status_code or 200), headers, _body(http.body)
    if kind is None:
        return 204, {}, b""
    return 200, {"content-type": "text/plain; charset=utf-8"}, _body(typed)


def _body(typed: Any) -> bytes:
    kind = typed.WhichOneof("data")
    if kind in ("bytes", "stream"):
        return getattr(typed, kind)
    if kind in ("string", "json"):
        return getattr(typed, kind).encode()
    if kind in ("int", "double"):
        return str(getattr(typed, kind)).encode()
    return b""


def plain(status: int, text: str = "") -> tuple[int, dict[str, str], bytes]:
    """A response the front end (not the function) makes."""
    headers = {"content-type": "text/plain; charset=utf-8"} if text else {}
    return status, headers, text.encode()
