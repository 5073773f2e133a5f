"""FunctionsHost: start the runtime on an app, then deliver HTTP requests and blob events."""

from __future__ import annotations

import asyncio
import json
import uuid
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from devtools.functions_host import http_conversion as conversion
from devtools.functions_host import routing
from devtools.functions_host.blob_trigger import BlobTriggerBinding, invocation_data
from devtools.functions_host.connections import HostStorageError, TriggerConnection
from devtools.functions_host.http_conversion import HttpResponse
from devtools.functions_host.invocation import InvocationResult, invocation_request
from devtools.functions_host.limits import FrontEndLimits
from devtools.functions_host.logs import RpcLogCollector, current_invocation
from devtools.functions_host.outcomes import BlobDelivery, FunctionInfo
from devtools.functions_host.poison import BlobsOptions, poison_message, send_poison_message
from devtools.functions_host.protocol import load_protos
from devtools.functions_host.queue_listener import QueueListener, invoke_message
from devtools.functions_host.queue_trigger import QueueDelivery, QueuesOptions, message_text
from devtools.functions_host.worker import RuntimeWorker, WorkerError, run_in_thread


class FunctionsHostError(RuntimeError):
    """The app did not start: the runtime's own error (message and stack trace) is kept."""

    def __init__(self, error: WorkerError, logs: list[Any]) -> None:
        super().__init__(f"{error}\n{error.stack_trace}".rstrip())
        self.runtime_message = error.runtime_message
        self.logs = logs


class FunctionsHost:
    """One app in Microsoft's runtime, in this process. See the package docstring."""

    _current: ClassVar[FunctionsHost | None] = None

    def __init__(
        self, app_dir: Path, worker: RuntimeWorker, functions: list[Any], limits: FrontEndLimits
    ) -> None:
        self.app_dir = app_dir
        self.limits = limits
        self.keys = routing.HostKeys()
        self.blobs = BlobsOptions.from_host_json(app_dir)
        self.queues = QueuesOptions.from_host_json(app_dir)
        self.protos = worker.protos
        self._worker = worker
        self.functions = {
            f.name: FunctionInfo(f.name, f.function_id, tuple(json.loads(raw) for raw in f.raw_bindings), f)
            for f in functions
        }
        prefix = routing.route_prefix(app_dir)
        self._routes = [
            routing.HttpRoute.from_raw(prefix, info.name, info.function_id, info.trigger)
            for info in self.functions.values()
            if info.trigger["type"] == "httpTrigger"
        ]
        self._blob_slots: weakref.WeakKeyDictionary[Any, asyncio.Semaphore] = weakref.WeakKeyDictionary()
        self._background: set[asyncio.Task[Any]] = set()
        self._queue_listeners: dict[str, QueueListener] = {}
        self.startup_logs = worker.collector.take(None)

    @classmethod
    def start(cls, app_dir: str | Path, *, limits: FrontEndLimits | None = None) -> FunctionsHost:
        """Init (the runtime indexes the app), metadata and load; raises FunctionsHostError.

        Start-up runs on a loop of its own, so this works with or without a running loop.
        """
        running, worker = cls._prepare(Path(app_dir).resolve(), limits)
        if running is not None:
            return running
        try:
            functions = run_in_thread(worker.start)
        except WorkerError as error:
            raise cls._failed(worker, error) from None
        return cls._started(worker, functions, limits)

    @classmethod
    async def start_on_loop(
        cls, app_dir: str | Path, *, limits: FrontEndLimits | None = None
    ) -> FunctionsHost:
        """`start` on the running loop, as the proxy worker does: init, indexing and every
        invocation share one loop, so what the app's import schedules on it is there later."""
        running, worker = cls._prepare(Path(app_dir).resolve(), limits)
        if running is not None:
            return running
        try:
            functions = await worker.start()
        except WorkerError as error:
            raise cls._failed(worker, error) from None
        return cls._started(worker, functions, limits)

    @classmethod
    def _prepare(
        cls, app_dir: Path, limits: FrontEndLimits | None
    ) -> tuple[FunctionsHost | None, RuntimeWorker]:
        """The host already running this app (one per process), or a worker to start."""
        protos = load_protos()
        worker = RuntimeWorker(protos, app_dir, RpcLogCollector(protos))
        if cls._current is not None:
            if cls._current.app_dir != app_dir:
                raise RuntimeError(
                    f"this process already runs {cls._current.app_dir}: the runtime holds one app"
                )
            if limits is not None:
                cls._current.limits = limits
        return cls._current, worker

    @staticmethod
    def _failed(worker: RuntimeWorker, error: WorkerError) -> FunctionsHostError:
        worker.stop()
        return FunctionsHostError(error, worker.collector.take(None))

    @classmethod
    def _started(
        cls, worker: RuntimeWorker, functions: list[Any], limits: FrontEndLimits | None
    ) -> FunctionsHost:
        cls._current = cls(worker.app_dir, worker, functions, limits or FrontEndLimits())
        return cls._current

    def bindings(self, function: str) -> list[dict[str, Any]]:
        """The raw bindings the runtime reported for a function (what the host indexes)."""
        return list(self.functions[function].raw_bindings)

    async def invoke(self, function: str, request: Any) -> InvocationResult:
        """Send one InvocationRequest; its logs are the ones logged under its invocation id."""

        async def run() -> Any:
            current_invocation.set(request.invocation_id)
            return await self._worker.invoke(request)

        response = await asyncio.create_task(run())
        result = response.result
        ok = result.status == self.protos.StatusResult.Success
        return InvocationResult(
            function=function,
            invocation_id=request.invocation_id,
            trace_parent=request.trace_context.trace_parent,
            succeeded=ok,
            error=None if ok else result.exception.message,
            stack_trace="" if ok else result.exception.stack_trace,
            return_value=response.return_value if response.HasField("return_value") else None,
            logs=tuple(self._worker.collector.take(request.invocation_id)),
        )

    async def http(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        trace_parent: str | None = None,
    ) -> HttpResponse:
        """Send a request through the front end (limits, routing, keys) to its function."""
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        lowered.setdefault("host", urlsplit(url).netloc)  # what every client sends
        if body:
            lowered.setdefault("content-length", str(len(body)))
        if len(url.encode()) > self.limits.max_url_bytes:
            return HttpResponse(*conversion.plain(414, "URI Too Long"))
        if len(body) > self.limits.max_request_bytes:
            return HttpResponse(*conversion.plain(413, "Request Entity Too Large"))
        found = routing.match(self._routes, method, url)
        if found is None:
            return HttpResponse(*conversion.plain(404))
        route, params = found
        if not self.keys.allows(route.auth_level, url, lowered):
            return HttpResponse(*conversion.plain(401))
        trigger = self.functions[route.function].trigger
        data = conversion.to_rpc_http(self.protos, method, url, lowered, body, params)
        request = invocation_request(
            self.protos,
            route.function_id,
            [self.protos.ParameterBinding(name=trigger["name"], data=data)],
            {},
            trace_parent=trace_parent,
        )
        task = asyncio.ensure_future(self.invoke(route.function, request))
        try:
            result = await asyncio.wait_for(asyncio.shield(task), self.limits.http_timeout_seconds)
        except TimeoutError:  # the load balancer gives up; the function keeps running
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return HttpResponse(*conversion.plain(502), invocation_id=request.invocation_id, error="timeout")
        if not result.succeeded:
            return HttpResponse(500, {}, b"", result.invocation_id, result.logs, result.error)
        status, response_headers, response_body = conversion.from_return_value(result.return_value)
        return HttpResponse(status, response_headers, response_body, result.invocation_id, result.logs)

    def _slots(self) -> asyncio.Semaphore:
        """maxDegreeOfParallelism blob invocations at once (per event loop: tests run several)."""
        loop = asyncio.get_running_loop()
        if loop not in self._blob_slots:
            self._blob_slots[loop] = asyncio.Semaphore(self.blobs.max_degree_of_parallelism)
        return self._blob_slots[loop]

    def _blob_binding(self, function: str | None) -> BlobTriggerBinding:
        blob_functions = [f for f in self.functions.values() if f.trigger["type"] == "blobTrigger"]
        chosen = [f for f in blob_functions if function in (None, f.name)]
        if len(chosen) != 1:
            raise LookupError(f"no single blob-triggered function {function or ''} in {self.app_dir}")
        return BlobTriggerBinding.from_raw(chosen[0].name, chosen[0].function_id, chosen[0].trigger)

    async def blob_event(
        self, container: str, name: str, *, function: str | None = None, trace_parent: str | None = None
    ) -> BlobDelivery:
        """Deliver one blob version: retried until host.json's poisonBlobThreshold, then poisoned."""
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        binding = self._blob_binding(function)
        parameters = binding.parameters(name)
        if parameters is None:
            return BlobDelivery(container, name, "unmatched")
        connection = TriggerConnection.from_settings(binding.connection)
        invocations: list[InvocationResult] = []
        etag: str | None = None
        for _ in range(self.blobs.poison_blob_threshold):
            try:
                async with connection.blob_service() as service:
                    blob = service.get_blob_client(container, name)
                    properties = await blob.get_blob_properties()
                    content = None if binding.deferred else await (await blob.download_blob()).readall()
                    uri = blob.url
            except ResourceNotFoundError:
                return BlobDelivery(container, name, "gone", tuple(invocations))
            except AzureError as exc:
                raise HostStorageError(f"the host could not read {container}/{name}: {exc}") from exc
            if etag is not None and properties.etag != etag:
                return BlobDelivery(container, name, "superseded", tuple(invocations))
            etag = properties.etag
            input_data, metadata = invocation_data(
                self.protos, binding, container, name, uri, properties, parameters, content
            )
            request = invocation_request(
                self.protos, binding.function_id, input_data, metadata, trace_parent=trace_parent
            )
            async with self._slots():
                result = await self.invoke(binding.function, request)
            invocations.append(result)
            if result.succeeded:
                return BlobDelivery(container, name, "succeeded", tuple(invocations))
        message = poison_message(f"Host.Functions.{binding.function}", container, name, etag or "")
        await send_poison_message(connection, message)
        return BlobDelivery(container, name, "poisoned", tuple(invocations), message)

    def queue_listener(self, function: str) -> QueueListener:
        """The listener on a queue-triggered function's queue (see `queue_listener`): `poll()`,
        `drain()` (every message now queued, to its end) or `listen()` (until cancelled)."""
        if function not in self._queue_listeners:
            self._queue_listeners[function] = QueueListener(self, function)
        return self._queue_listeners[function]

    async def queue_message(
        self, function: str, body: str, *, trace_parent: str | None = None
    ) -> QueueDelivery:
        """Hand one message body straight to a queue-triggered function (no queue is read or
        written), with the listener's tries: up to maxDequeueCount, then `poisoned`."""
        info = self.functions[function]
        if info.trigger["type"] != "queueTrigger":
            raise LookupError(f"{function} is not queue-triggered")
        queue = info.trigger["queueName"]
        text = message_text(self.queues, body)
        if text is None:
            return QueueDelivery(queue, "undecodable")
        message_id = str(uuid.uuid4())
        invocations: list[InvocationResult] = []
        for dequeue_count in range(1, self.queues.max_dequeue_count + 1):
            result = await invoke_message(
                self, function, text, dequeue_count, message_id=message_id, trace_parent=trace_parent
            )
            invocations.append(result)
            if result.succeeded:
                return QueueDelivery(queue, "succeeded", tuple(invocations), message_id, text)
        return QueueDelivery(queue, "poisoned", tuple(invocations), message_id, text)

    async def drain(self) -> None:
        """Wait for invocations still running after the front end timed out."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
