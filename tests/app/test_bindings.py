"""The binding JSON the Functions host reads when it indexes function_app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devtools.functions_host import FunctionsHost

ROOT = Path(__file__).resolve().parents[2]


def test_bindings_blob_trigger_matches_host_contract(functions_host: FunctionsHost) -> None:
    (binding,) = functions_host.bindings("transcribe_blob")
    assert binding == {
        "direction": "IN",
        "type": "blobTrigger",
        "name": "blob",
        "path": "audio-in/{name}",
        "connection": "AudioStorage",
        "source": "EventGrid",
    }


def test_bindings_http_transcribe_post_with_function_key(functions_host: FunctionsHost) -> None:
    trigger, output = functions_host.bindings("transcribe")
    assert trigger == {
        "direction": "IN",
        "type": "httpTrigger",
        "name": "req",
        "methods": ["POST"],
        "authLevel": "FUNCTION",
        "route": "transcribe",
    }
    assert output == {"direction": "OUT", "type": "http", "name": "$return"}


def test_bindings_health_is_anonymous_get(functions_host: FunctionsHost) -> None:
    trigger, _ = functions_host.bindings("health")
    assert (trigger["route"], trigger["methods"], trigger["authLevel"]) == ("health", ["GET"], "ANONYMOUS")


def test_bindings_source_and_container_come_from_settings_at_import() -> None:
    script = (
        "import json, function_app\n"
        "f = {x.get_function_name(): x for x in function_app.app.get_functions()}\n"
        "print(f['transcribe_blob'].get_raw_bindings()[0])\n"
    )
    env = {
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
        "AUDIO_CONTAINER": "recordings",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    binding = json.loads(out.stdout)
    assert binding["source"] == "LogsAndContainerScan"
    assert binding["path"] == "recordings/{name}"


def test_import_function_app_loads_no_sdk() -> None:
    script = (
        "import sys, function_app\n"
        "heavy = ('azure.ai.transcription', 'azure.identity', 'azure.storage', 'opencensus', 'opentelemetry', 'aiohttp')\n"
        "print([m for m in sys.modules if m.startswith(heavy)])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
