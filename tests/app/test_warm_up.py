"""The warm-up: SDKs loaded after `import function_app` returns, inside the worker's loop only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
    "AZURE_SPEECH_API_KEY": "k",
    "AudioStorage": "UseDevelopmentStorage=true",
}


def run(code: str) -> str:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AudioStorage"))}, **ENV}
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
    from transcriber import service, warmup
    assert "azure.storage.blob.aio" not in sys.modules  # not paid by the import itself
    await asyncio.to_thread(warmup.wait_for_warm_up)
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


def test_warm_up_imported_outside_an_event_loop_starts_no_thread() -> None:
    code = "import threading, function_app; print([t.name for t in threading.enumerate()])"
    assert "transcriber-warm-up" not in run(code)
