"""A stand-in for the Functions host: index function_app and invoke its functions.

The real host cannot be installed here, so tests and the demo do what it does: read each
function's binding JSON, then call the user function with real `azure.functions` objects
(`HttpRequest`, `blob.InputStream`) and a `Context` carrying a W3C trace context.
"""

from __future__ import annotations

import inspect
import json
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func


@dataclass(frozen=True)
class TraceContext:
    """The W3C trace context the host hands the worker."""

    trace_parent: str
    trace_state: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RetryContext:
    """Retry accounting, present when a retry policy applies."""

    retry_count: int
    max_retry_count: int
    exception: Exception | None = None


class Context(func.Context):
    """The invocation context the worker would pass."""

    def __init__(self, function_name: str, trace_parent: str, retry: RetryContext | None = None) -> None:
        self._function_name = function_name
        self._invocation_id = str(uuid.uuid4())
        self._trace = TraceContext(trace_parent)
        self._retry = retry
        self._local = threading.local

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def thread_local_storage(self) -> type[threading.local]:
        return self._local

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return os.getcwd()

    @property
    def trace_context(self) -> TraceContext:
        return self._trace

    @property
    def retry_context(self) -> RetryContext:  # type: ignore[override]
        return self._retry  # type: ignore[return-value]


def new_trace_parent() -> str:
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"


@dataclass
class FunctionsHost:
    """function_app's functions by name, with their bindings as the host reads them."""

    app: func.FunctionApp
    functions: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.functions = {f.get_function_name(): f for f in self.app.get_functions()}

    def bindings(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self.functions[name].get_raw_bindings()]

    async def call(self, name: str, **arguments: Any) -> Any:
        """Call a function, passing `context` when its signature asks for it."""
        user_function = self.functions[name].get_user_function()
        if "context" in inspect.signature(user_function).parameters and "context" not in arguments:
            arguments["context"] = Context(name, new_trace_parent())
        result = user_function(**arguments)
        return await result if inspect.isawaitable(result) else result

    async def blob_event(
        self, name: str, container: str, blob_name: str, data: bytes = b"", *, context: Context | None = None
    ) -> Any:
        """Fire the blob trigger as the host does for `<container>/<blob_name>`."""
        stream = func.blob.InputStream(data=data, name=f"{container}/{blob_name}", length=len(data))
        return await self.call(name, blob=stream, **({"context": context} if context else {}))

    async def http(
        self,
        name: str,
        method: str,
        url: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        context: Context | None = None,
    ) -> func.HttpResponse:
        """Send an HTTP request to an HTTP-triggered function."""
        params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        request = func.HttpRequest(method, url, headers=dict(headers or {}), params=params, body=body)
        return await self.call(name, req=request, **({"context": context} if context else {}))
