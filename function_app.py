"""Azure Functions entry points: parse the trigger's input, call the core, map the result.

The core (`transcriber/`) knows nothing of azure.functions. Only the trigger's container and
source are read at import (the host needs them to index the functions). Every other setting is
read and validated on first use, so a bad one shows up in /api/health and in each invocation's
error rather than as an app that will not start. The core and the SDKs are imported on a
warm-up thread started at the end of this import (`transcriber.entry.warmup`), so that neither the
import (the host waits for it) nor the first invocation pays for them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING

import azure.functions as func

from transcriber import config
from transcriber.domain import privacy
from transcriber.domain.redaction import install_log_redaction
from transcriber.entry.warmup import check_settings, start_warm_up, wait_for_warm_up

install_log_redaction()  # every log record, the SDKs' included, loses its secrets
if TYPE_CHECKING:
    from transcriber.domain.invocation import Invocation
    from transcriber.entry.http.edge import HttpReply


def _lazy_module(name: str) -> ModuleType:
    """`name`, executed on first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None, name
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The SDK-type binding extension imports azure.storage.blob (about three times azure.functions);
# indexing resolves `blob_sdk.BlobClient` and loads it then, not `import function_app`.
blob_sdk = _lazy_module("azurefunctions.extensions.bindings.blob")

privacy.quiet_sdk_logging()  # before any SDK client (the blob binding's too) logs a blob URL
app = func.FunctionApp()

AUDIO_CONTAINER, _TRIGGER_SOURCE = config.trigger_binding(os.environ)  # never raises at import
BLOB_SOURCE = func.BlobSource(_TRIGGER_SOURCE)
try:  # an invalid value is reported by /api/health/deep and every invocation, never at import
    ERASURE_QUEUE = config.erasure_queue(os.environ)
except config.SettingError:
    ERASURE_QUEUE = "blob-deleted"
try:  # Entra ID callers: App Service authentication checks the token, the app the role (caller_auth)
    _ENTRA = config.http_auth_mode(os.environ) == "entra"
except config.SettingError:
    _ENTRA = False  # fail closed: a function key stays required
HTTP_AUTH_LEVEL = func.AuthLevel.ANONYMOUS if _ENTRA else func.AuthLevel.FUNCTION
JOBS_QUEUE = config.jobs_queue(os.environ)  # never raises at import


@app.function_name("transcribe_blob")
@app.blob_trigger(
    arg_name="blob",
    path=f"{AUDIO_CONTAINER}/{{name}}",
    connection=config.STORAGE_CONNECTION,
    source=BLOB_SOURCE,
)
async def transcribe_blob(blob: blob_sdk.BlobClient, context: func.Context) -> None:
    """A recording landed in the audio container: transcribe it.

    The SDK-type binding hands over a reference (a sync BlobClient the extension builds), never
    the content; only its name is used here, the core reads what it needs with its aio client.
    """
    wait_for_warm_up()
    from transcriber.entry.triggers import handle_blob

    await handle_blob(blob.blob_name, _invocation(context))


@app.function_name("transcribe")
@app.route(route="api/transcribe", methods=["POST"], auth_level=HTTP_AUTH_LEVEL)
async def transcribe(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    """Transcribe audio sent in the body, as a multipart file, or named as a blob."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.transcribe import handle_transcribe

    reply = await handle_transcribe(req.url, dict(req.headers), req.get_body(), _invocation(context))
    return _response(reply)


@app.function_name("erase_transcripts")
@app.queue_trigger(arg_name="message", queue_name=ERASURE_QUEUE, connection=config.STORAGE_CONNECTION)
async def erase_transcripts(message: func.QueueMessage, context: func.Context) -> None:
    """A recording was deleted (Event Grid BlobDeleted, queued): delete its transcripts too."""
    wait_for_warm_up()
    from transcriber.entry.triggers import handle_deleted_event

    await handle_deleted_event(message.get_body())


@app.function_name("create_transcription")
@app.route(route="api/transcriptions", methods=["POST"], auth_level=HTTP_AUTH_LEVEL)
async def create_transcription(req: func.HttpRequest) -> func.HttpResponse:
    """Accept audio (body, multipart or a blob name) as a job: 202 with its Location at once."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.jobs import create_job

    return _response(await create_job(req.url, dict(req.headers), req.get_body()))


@app.function_name("list_transcriptions")
@app.route(route="api/transcriptions", methods=["GET"], auth_level=HTTP_AUTH_LEVEL)
async def list_transcriptions(req: func.HttpRequest) -> func.HttpResponse:
    """The caller's jobs, newest first, a page at a time (`?limit=`, `?cursor=`)."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.jobs import list_jobs

    return _response(await list_jobs(req.url, dict(req.headers)))


@app.function_name("transcription_status")
@app.route(route="api/transcriptions/{id}", methods=["GET"], auth_level=HTTP_AUTH_LEVEL)
async def transcription_status(req: func.HttpRequest) -> func.HttpResponse:
    """A job's status; with `?format=` its result."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.jobs import job_status

    return _response(await job_status(req.url, dict(req.headers), req.route_params.get("id", "")))


@app.function_name("transcription_audio")
@app.route(route="api/transcriptions/{id}/audio", methods=["GET"], auth_level=HTTP_AUTH_LEVEL)
async def transcription_audio(req: func.HttpRequest) -> func.HttpResponse:
    """A job's audio, with range requests (the page's player)."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.audio import job_audio

    return _response(await job_audio(dict(req.headers), req.route_params.get("id", "")))


@app.function_name("name_speakers")
@app.route(route="api/transcriptions/{id}/speakers", methods=["PUT"], auth_level=HTTP_AUTH_LEVEL)
async def name_speakers(req: func.HttpRequest) -> func.HttpResponse:
    """Name the speakers of a job's transcript (`{"speakers": {"1": "Alice"}}`)."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.speakers import put_speakers

    return _response(await put_speakers(dict(req.headers), req.route_params.get("id", ""), req.get_body()))


@app.function_name("run_transcription_job")
@app.queue_trigger(arg_name="message", queue_name=JOBS_QUEUE, connection=config.STORAGE_CONNECTION)
async def run_transcription_job(message: func.QueueMessage, context: func.Context) -> None:
    """A job from the jobs queue: transcribe its blob; a raise lets the queue retry, then poison it."""
    wait_for_warm_up()
    from transcriber.entry.triggers import handle_job_message

    text = message.get_body().decode("utf-8", "replace")
    await handle_job_message(text, message.dequeue_count or 1, _invocation(context))


@app.function_name("create_upload")
@app.route(route="api/uploads", methods=["POST"], auth_level=HTTP_AUTH_LEVEL)
async def create_upload(req: func.HttpRequest) -> func.HttpResponse:
    """An upload URL (create-only SAS, https, short-lived) for one new blob under uploads/."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.uploads import create_upload as make_upload

    return _response(await make_upload(dict(req.headers), req.get_body()))


@app.function_name("health")
@app.route(route="api/health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health_check(req: func.HttpRequest) -> func.HttpResponse:
    """Anonymous and cheap: is the configuration valid? Says only the status."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.health import health

    return _response(health(req.url))


@app.function_name("health_deep")
@app.route(route="api/health/deep", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
async def health_deep(req: func.HttpRequest) -> func.HttpResponse:
    """With a key: Speech and storage reached with the app's credentials (cached briefly)."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.health import health_deep

    return _response(await health_deep())


# Every api/ path a route above does not take with the request's method (the host skips a route
# whose methods exclude it): 405 with Allow for a route's path, else a JSON 404, never the page.
@app.function_name("api_unrouted")
@app.route(
    route="api/{*path}",
    methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
def api_unrouted(req: func.HttpRequest) -> func.HttpResponse:
    """No function of the API takes this method on this path: say which do, in JSON."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.routes import unrouted

    return _response(unrouted(req.method, req.route_params.get("path") or ""))


# Last of the routes: host.json's routePrefix is "" and every API route above is written `api/...`;
# ASP.NET Core's route precedence (a literal segment before a parameter before a catch-all) sends
# /api/... to its function whatever the order here (`api/{*path}` before `{*path}`), and
# everything else to the page.
@app.function_name("page")
@app.route(route="{*path}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def page(req: func.HttpRequest) -> func.HttpResponse:
    """The page at `/` and its assets (transcriber/web/); a JSON 404 for any other path."""
    wait_for_warm_up()
    if (refused := _key_in_query(req)) is not None:
        return refused
    from transcriber.entry.http.page import serve_page

    return _response(await serve_page(req.route_params.get("path") or ""))


def _key_in_query(req: func.HttpRequest) -> func.HttpResponse | None:
    """A 400 when a function key came as `?code=` (transcriber.entry.http.edge): header only."""
    from transcriber.entry.http.edge import key_in_query

    reply = key_in_query(req.url)
    return None if reply is None else _response(reply)


def _invocation(context: func.Context) -> Invocation:
    from transcriber.domain.invocation import Invocation

    trace = getattr(context, "trace_context", None)
    retry = getattr(context, "retry_context", None)
    return Invocation(
        function=context.function_name,
        invocation_id=context.invocation_id,
        traceparent=getattr(trace, "trace_parent", None) or None,
        retry_count=getattr(retry, "retry_count", None),
        max_retry_count=getattr(retry, "max_retry_count", None),
    )


def _response(reply: HttpReply) -> func.HttpResponse:
    # The Content-Type header as the core chose it (with its charset): the worker only adds one
    # itself when none is set, and then drops the charset of application/json. Bytes (audio) keep
    # their type as it is.
    content_type = (
        reply.content_type
        if "charset=" in reply.content_type or isinstance(reply.body, bytes)
        else f"{reply.content_type}; charset=utf-8"
    )
    headers = {**reply.headers, "Content-Type": content_type}
    return func.HttpResponse(reply.body, status_code=reply.status, headers=headers)


# Last; inside the worker's loop only: the functions above are indexed without it. Outside a loop
# (a script) there is no warm-up to check the settings, so that is done now.
if start_warm_up() is None:
    check_settings()
