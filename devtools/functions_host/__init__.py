"""A Functions host for tests and local runs: Microsoft's runtime, driven as the real host does.

The real host cannot be installed here, so this one plays its part around the real worker
code. It compiles its own copy of the protocol's messages (functions_rpc.proto), then calls
`azure_functions_runtime`'s handlers in-process as the host's proxy worker does:
WorkerInitRequest (the runtime imports and indexes function_app.py), FunctionsMetadataRequest,
FunctionLoadRequest per function, and one InvocationRequest per trigger.

    host = FunctionsHost.start(app_dir)              # FunctionsHostError: the runtime's error
    host.functions["transcribe"].raw_bindings        # what the runtime reported at indexing
    response = await host.http("POST", "https://app/api/transcribe?format=text", body,
                               {"Content-Type": "audio/wav", "x-functions-key": host.keys.function_key})
    response.status_code, response.headers, response.get_body(), response.logs
    delivery = await host.blob_event("audio-in", "meeting.wav")
    delivery.status, delivery.attempts, delivery.invocations[-1].logs, delivery.poison_message
    delivery = await host.queue_message("erase_transcripts", '{"eventType": ...}')
    deliveries = await host.queue_listener("run_transcription_job").drain()   # read from its queue

What the host does, module by module:
- `protocol`: compile and load the message classes; `worker`: the runtime's handlers.
- `http_conversion`: requests into RpcHttp (lower-case headers, query map, body bytes) and
  `$return` back; `routing`: routes, methods and function keys; `limits`: the front end's
  100 MB body (413), 4 KB URL (414) and 230 s (502, the function keeps running).
- `blob_trigger`: model binding data for SDK-type bindings (never the content), bytes otherwise,
  and the trigger metadata; `poison`: host.json's poisonBlobThreshold and the poison queue;
  `connections`: the host's own storage clients for the binding's connection setting.
- `queue_trigger`: a message's text (host.json messageEncoding), its metadata, host.json's queue
  options; `queue_listener`: the binding's queue read on its connection (connection string or
  identity), the queue's dequeue counts, release, maxDequeueCount and the `-poison` copy.
- `logs`: every record the worker logs, as RpcLog, per invocation.
Retries are the blob trigger's own (a new invocation per try, retry context zero), not a
function retry policy. One app per process: the runtime keeps its state in module globals.
"""

from devtools.functions_host.host import (
    BlobDelivery,
    FunctionInfo,
    FunctionsHost,
    FunctionsHostError,
    HostStorageError,
)
from devtools.functions_host.http_conversion import HttpResponse
from devtools.functions_host.invocation import InvocationResult, new_trace_parent
from devtools.functions_host.limits import FrontEndLimits
from devtools.functions_host.queue_trigger import QueueDelivery

__all__ = [
    "BlobDelivery",
    "FrontEndLimits",
    "FunctionInfo",
    "FunctionsHost",
    "FunctionsHostError",
    "HostStorageError",
    "HttpResponse",
    "InvocationResult",
    "QueueDelivery",
    "new_trace_parent",
]
