"""Drive azure-functions-runtime's request handlers in-process, as the host's proxy worker does.

The proxy worker receives StreamingMessages over gRPC and calls `azure_functions_runtime`'s
coroutines with an object carrying `.request` (the StreamingMessage) and `.properties` (the
protos module and the host address, for init and reload). We build the same messages and call
the same coroutines; the runtime indexes, loads and invokes exactly as it does in Azure. The
runtime keeps its state in module globals, so there is one worker (one app) per process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import azure_functions_runtime

from devtools.functions_host.logs import RpcLogCollector

HOST_VERSION = "4.1044.0"  # reported to the worker as the host's version; informational only


class WorkerError(RuntimeError):
    """The worker answered a start-up request with a failure status (message and stack trace)."""

    def __init__(self, stage: str, message: str, stack_trace: str = "") -> None:
        super().__init__(f"{stage} failed: {message}")
        self.stage = stage
        self.runtime_message = message
        self.stack_trace = stack_trace


@dataclass
class WorkerRequest:
    """What the proxy worker hands the runtime: the message and, at init, its properties."""

    name: str
    request: Any
    properties: dict[str, Any] = field(default_factory=dict)


class RuntimeWorker:
    """The runtime behind the protocol: init (which indexes), metadata, load, invoke."""

    def __init__(self, protos: ModuleType, app_dir: Path, collector: RpcLogCollector) -> None:
        self.protos = protos
        self.app_dir = app_dir
        self.collector = collector
        self.capabilities: dict[str, str] = {}

    def _message(self, **content: Any) -> Any:
        return self.protos.StreamingMessage(request_id=str(uuid.uuid4()), **content)

    def _check(self, stage: str, result: Any) -> None:
        if result.status != self.protos.StatusResult.Success:
            raise WorkerError(stage, result.exception.message, result.exception.stack_trace)

    async def start(self) -> list[Any]:
        """Init, metadata and load for every function; returns the runtime's function metadata."""
        protos = self.protos
        if str(self.app_dir) not in sys.path:
            sys.path.insert(0, str(self.app_dir))
        root = logging.getLogger()
        root.setLevel(logging.DEBUG if _true(os.environ.get("PYTHON_ENABLE_DEBUG_LOGGING")) else logging.INFO)
        if self.collector not in root.handlers:
            root.addHandler(self.collector)
        azure_functions_runtime.start_threadpool_executor()

        init = protos.WorkerInitRequest(
            host_version=HOST_VERSION,
            worker_directory=str(self.app_dir),
            function_app_directory=str(self.app_dir),
        )
        response = await azure_functions_runtime.worker_init_request(
            WorkerRequest(
                "WorkerInitRequest",
                self._message(worker_init_request=init),
                {"protos": protos, "host": "127.0.0.1"},
            )
        )
        self._check("WorkerInitRequest", response.result)
        self.capabilities = dict(response.capabilities)

        request = protos.FunctionsMetadataRequest(function_app_directory=str(self.app_dir))
        metadata = await azure_functions_runtime.functions_metadata_request(
            WorkerRequest("WorkerMetadataRequest", self._message(functions_metadata_request=request))
        )
        self._check("FunctionsMetadataRequest", metadata.result)
        functions = list(metadata.function_metadata_results)
        if not functions:
            raise WorkerError("FunctionsMetadataRequest", f"no functions found in {self.app_dir}")
        for function in functions:
            load = protos.FunctionLoadRequest(function_id=function.function_id, metadata=function)
            loaded = await azure_functions_runtime.function_load_request(
                WorkerRequest("FunctionLoadRequest", self._message(function_load_request=load))
            )
            self._check(f"FunctionLoadRequest({function.name})", loaded.result)
        return functions

    async def invoke(self, request: Any) -> Any:
        """One InvocationRequest -> the runtime's InvocationResponse."""
        return await azure_functions_runtime.invocation_request(
            WorkerRequest("FunctionInvocationRequest", self._message(invocation_request=request))
        )

    def stop(self) -> None:
        azure_functions_runtime.stop_threadpool_executor()
        logging.getLogger().removeHandler(self.collector)


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def run_in_thread(coroutine_function: Any) -> Any:
    """Run start-up on a loop of its own, so start() works with or without a running loop."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine_function())
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="functions-host-start")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
