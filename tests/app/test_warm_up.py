"""The warm-up: SDKs loaded after `import function_app` returns, inside the worker's loop only."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from azure.storage.blob import BlobServiceClient

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
    "AZURE_SPEECH_API_KEY": "k",
    "AudioStorage": "UseDevelopmentStorage=true",
}


def _wav() -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000, dtype=np.int16), 16000, format="WAV")
    return buffer.getvalue()


WAV = _wav()


def run(code: str, settings: dict[str, str] | None = None) -> str:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AudioStorage"))}}
    env.update(settings or ENV)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_warm_up_imported_in_the_worker_loop_loads_sdks_and_prepares_that_loops_service() -> None:
    code = """
import asyncio, sys
async def main():
    import function_app
    from transcriber import services as service
    from transcriber.entry import warmup
    assert "azure.storage.blob.aio" not in sys.modules  # not paid by the import itself
    await asyncio.to_thread(warmup.join_warm_up)
    await asyncio.sleep(0.1)
    loaded = all(m in sys.modules for m in warmup.MODULES)
    print(loaded, asyncio.get_running_loop() in service._services)
asyncio.run(main())
"""
    assert run(code) == "True True"


def test_warm_up_invocation_arriving_during_it_waits_and_imports_safely() -> None:
    code = """
import asyncio
async def main():
    from devtools.functions_host import FunctionsHost
    host = FunctionsHost.start(".")  # the runtime imports function_app; the warm-up starts
    replies = await asyncio.gather(*(host.http("GET", "https://app/api/health") for _ in range(4)))
    print({reply.status_code for reply in replies})
asyncio.run(main())
"""
    assert run(code) == "{200}"


def test_warm_up_an_invocation_arriving_first_stops_it_and_imports_only_what_it_needs() -> None:
    """The request that woke the app does not wait for the other triggers' modules or the
    start-up checks: the warm-up ends after its current step, and nothing imports beside it."""
    code = """
import asyncio, sys
async def main():
    import function_app
    from transcriber.entry import warmup
    function_app.wait_for_warm_up()  # an invocation before the warm-up's first step
    thread = warmup._started
    print(thread is not None and not thread.is_alive(), "azure.storage.blob.aio" in sys.modules)
    await asyncio.sleep(0.3)
    warmup.join_warm_up()
    print("azure.storage.blob.aio" in sys.modules, bool(function_app and warmup._background))
asyncio.run(main())
"""
    assert run(code).splitlines() == ["True False", "False False"]


def test_warm_up_imported_outside_an_event_loop_starts_no_thread() -> None:
    code = "import threading, function_app; print([t.name for t in threading.enumerate()])"
    assert "transcriber-warm-up" not in run(code)


def test_warm_up_begins_only_after_the_import_and_indexing_step() -> None:
    # The runtime imports and indexes in one synchronous step: the thread must not compete with it.
    code = """
import asyncio
async def main():
    import function_app
    from transcriber.entry import warmup
    during_import = warmup._started
    await asyncio.sleep(0)
    print(during_import is None, warmup._started is not None)
asyncio.run(main())
"""
    assert run(code) == "True True"


def test_warm_up_on_the_worker_loop_checks_containers_and_reaches_speech_once(
    azurite: Any, blob_containers: Any, speech: Any
) -> None:
    """As the proxy worker runs it (one loop): after the warm-up a first blob invocation makes no
    container check of its own, and Speech saw the audio-free start-up check."""
    code = """
import asyncio
async def main():
    from devtools.functions_host import FunctionsHost
    from transcriber import services as service
    from transcriber.adapters import blob_client as storage_client
    from transcriber.entry import warmup
    host = await FunctionsHost.start_on_loop(".")
    await asyncio.to_thread(warmup.join_warm_up)
    while not service._services or warmup._background:
        await asyncio.sleep(0.01)
    store = service._services[asyncio.get_running_loop()].store
    calls = []
    original = storage_client.StorageClient._call
    async def counting(self, operation, *args, **kwargs):
        calls.append(operation)
        return await original(self, operation, *args, **kwargs)
    storage_client.StorageClient._call = counting
    delivery = await host.blob_event(CONTAINER, "first.wav")
    print(delivery.status, sorted(store._containers_ready) == sorted(NAMES), "GetContainerProperties" in calls)
asyncio.run(main())
"""
    speech.reset()
    admin = BlobServiceClient.from_connection_string(azurite.connection_string)
    admin.get_blob_client(blob_containers.audio, "first.wav").upload_blob(WAV)
    names = (blob_containers.audio, blob_containers.transcripts, blob_containers.failures)
    code = code.replace("CONTAINER", repr(blob_containers.audio)).replace("NAMES", repr(names))
    settings = {
        **blob_containers.settings(),
        "AudioStorage": azurite.connection_string,
        "AZURE_SPEECH_ENDPOINT": speech.endpoint,
        "AZURE_SPEECH_API_KEY": speech.key,
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
    }
    assert run(code, settings) == "succeeded True False"
    checks = [entry for entry in speech.requests() if entry.status in (400, 415, 422)]
    assert len(checks) == 1 and len(speech.requests()) == 2  # the check, then the blob's transcription


async def test_container_check_concurrent_callers_check_each_container_once(
    azurite: Any, blob_containers: Any, speech: Any, monkeypatch: Any
) -> None:
    """The warm-up's check and a first invocation arriving meanwhile share one check per name."""
    from transcriber.adapters import blob_client as storage_client
    from transcriber.config import Settings
    from transcriber.services import TranscriptionService, get_telemetry

    env = {
        **blob_containers.settings(),
        "AudioStorage": azurite.connection_string,
        "AZURE_SPEECH_ENDPOINT": speech.endpoint,
        "AZURE_SPEECH_API_KEY": speech.key,
    }
    settings = Settings.from_environ(env)
    service = TranscriptionService.create(settings, get_telemetry(settings.telemetry))
    calls: list[str] = []
    original = storage_client.StorageClient._call

    async def counting(self: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(operation)
        return await original(self, operation, *args, **kwargs)

    monkeypatch.setattr(storage_client.StorageClient, "_call", counting)
    store = service.store
    outputs = (settings.transcripts_container, settings.failures_container)
    await asyncio.gather(
        store.ensure_containers(settings.containers, create=True),
        store.ensure_containers(outputs, create=True),
        store.ensure_containers(outputs, create=True),
    )
    await store.ensure_containers(outputs, create=True)
    await service.aclose()
    assert calls.count("GetContainerProperties") == len(settings.containers) == 3


def test_every_function_waits_for_the_warm_up_before_its_own_imports() -> None:
    """An invocation importing what the warm-up thread is importing can deadlock on a module lock."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).parents[2] / "function_app.py").read_text())
    functions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list
    ]
    assert len(functions) >= 9
    for function in functions:
        body = [
            s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        ]
        first = body[0]
        assert isinstance(first, ast.Expr) and ast.unparse(first) == "wait_for_warm_up()", function.name
